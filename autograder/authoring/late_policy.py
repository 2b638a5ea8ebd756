"""The late policy: how lateness costs points. ``assignment.toml``'s ``[late]`` table chooses it;
grading records each submission's days late and penalty with it; pages describe it in words.

* ``none``: lateness is recorded, never penalised;
* ``per_day``: ``percent_per_day`` off for each day or part of a day after the deadline, and
  zero after ``max_days`` (if set);
* ``cutoff``: full score until ``cutoff``, zero after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


def days_late(deadline: datetime | None, submitted_at: datetime | None) -> int:
    """Whole days after the deadline, a part of a day counting as one; 0 when on time."""
    if deadline is None or submitted_at is None or submitted_at <= deadline:
        return 0
    return math.ceil((submitted_at - deadline).total_seconds() / 86400)


@dataclass(frozen=True)
class LatePolicy:
    """How lateness costs points: ``none`` (recorded, no penalty), ``per_day``, ``cutoff``."""

    policy: Literal["none", "per_day", "cutoff"] = "none"
    percent_per_day: float = 0.0
    max_days: int | None = None
    cutoff: datetime | None = None

    def multiplier(self, deadline: datetime | None, submitted_at: datetime | None) -> float:
        """The fraction of the score kept for a submission made at ``submitted_at``."""
        if deadline is None or submitted_at is None or submitted_at <= deadline:
            return 1.0
        if self.policy == "cutoff":
            return 1.0 if self.cutoff is not None and submitted_at <= self.cutoff else 0.0
        if self.policy == "per_day":
            days = days_late(deadline, submitted_at)
            if self.max_days is not None and days > self.max_days:
                return 0.0
            return max(0.0, 1.0 - days * self.percent_per_day / 100.0)
        return 1.0

    def lateness(self, deadline: datetime | None, submitted_at: datetime | None) -> tuple[int, float]:
        """(days late, fraction of the score removed)."""
        days = days_late(deadline, submitted_at)
        return days, (round(1.0 - self.multiplier(deadline, submitted_at), 6) if days else 0.0)
