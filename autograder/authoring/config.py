"""``assignments/<id>/assignment.toml``: title, deadline, resource limits, late policy and the
models and data sets an assignment needs, read and checked with one error line per mistake.

    title = "Prompting"                   # default: the folder name
    deadline = 2030-10-01T23:59:00+02:00  # with a timezone
    points = 20                           # optional: checked against the notebook's questions

    [limits]                              # per submission; enforced by the isolation backend
    time_s = 300                          # the whole run
    memory_mb = 3072
    pids = 128
    cpus = 1
    cell_timeout_s = 60                   # one cell, and one test call

    [late]                                # see autograder/authoring/late_policy.py
    policy = "per_day"                    # "none" | "per_day" | "cutoff"
    percent_per_day = 10
    max_days = 3

    [requires]
    models = ["tiny-flan"]                # built into the zoo before grading
    data = ["dialogsum"]

    [similarity]                          # `course similarity` (autograder/reports/similarity.py)
    threshold = 0.6                       # flag a pair when either shares this much of its work
    k = 25                                # k-gram length (characters of normalised code)
    window = 6                            # winnowing window
    min_shared = 20                       # and they have at least this many fingerprints in common

    [gradescope]                          # `course release --gradescope` (release/targets/gradescope.py)
    hidden = "after_published"            # when students see hidden tests' rows: "after_published" |
                                          # "after_due_date" | "hidden" (public tests are always visible)

    [serve]                               # `course serve` (autograder/service/)
    feedback = "by_hand"                  # when students see their graded page: "by_hand" (staff
                                          # release it) | "after_deadline" | "immediately"
    public_tests = false                  # run the public tests on each upload (sandboxed, one at a
                                          # time) and show them on the receipt
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from autograder.authoring.late_policy import LatePolicy
from autograder.errors import CourseError


class AssignmentFormatError(CourseError, ValueError):
    """A master notebook or assignment.toml that cannot be released as it is."""




@dataclass(frozen=True)
class Limits:
    """Resource limits for one graded submission (enforced by the grading backends)."""

    time_s: float = 1800
    memory_mb: int = 4096
    pids: int = 256
    cpus: float = 2
    cell_timeout_s: float | None = 600


@dataclass(frozen=True)
class Requirements:
    models: tuple[str, ...] = ()
    data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Similarity:
    threshold: float = 0.6
    k: int = 25
    window: int = 6
    min_shared: int = 20


GRADESCOPE_VISIBILITY = ("after_published", "after_due_date", "hidden")
FEEDBACK_RELEASE = ("by_hand", "after_deadline", "immediately")


@dataclass(frozen=True)
class AssignmentConfig:
    title: str
    deadline: datetime | None = None
    points: float | None = None
    limits: Limits = field(default_factory=Limits)
    late: LatePolicy = field(default_factory=LatePolicy)
    requires: Requirements = field(default_factory=Requirements)
    # [validate] trusts: hidden test name -> why it may read a notebook variable (validate prints it)
    trusts: dict = field(default_factory=dict)
    similarity: Similarity = field(default_factory=Similarity)
    gradescope_hidden: str = "after_published"     # Gradescope visibility of hidden tests' rows
    feedback_release: str = "by_hand"               # `course serve`: when students see their page
    public_tests_on_upload: bool = False            # `course serve`: the receipt shows the public tests


def _toml_error(path: Path, key: str, problem: str) -> AssignmentFormatError:
    return AssignmentFormatError(f"{path}: `{key}` {problem}")


def _number(path: Path, key: str, value: Any, *, integer: bool = False, positive: bool = True):
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool):
        kind = "an integer" if integer else "a number"
        raise _toml_error(path, key, f"must be {kind}, not {value!r}")
    if positive and value <= 0:
        raise _toml_error(path, key, f"must be greater than 0, not {value!r}")
    if not positive and value < 0:
        raise _toml_error(path, key, f"must not be negative, not {value!r}")
    return value


def _datetime(path: Path, key: str, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _toml_error(path, key, f"is not an ISO 8601 date-time: {value!r}") from None
    if not isinstance(value, datetime):
        raise _toml_error(path, key, f"must be a date-time like 2025-10-01T23:59:00+02:00, not {value!r}")
    if value.tzinfo is None:
        raise _toml_error(path, key, f"needs a timezone, e.g. {value.isoformat()}+00:00")
    return value


def _table(path: Path, data: dict, key: str, allowed: set[str]) -> dict:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise _toml_error(path, key, "must be a table, e.g. [" + key + "]")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _toml_error(path, f"{key}.{unknown[0]}", f"is not a known key; known: {', '.join(sorted(allowed))}")
    return table


def read_toml(path: Path, error: type[CourseError], why_needed: str) -> dict:
    """``path``'s TOML table, or ``error`` with one line naming the file: missing (and
    ``why_needed``), or not valid TOML (and where)."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: missing; {why_needed}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None


def load_config(path: Path, default_title: str = "") -> AssignmentConfig:
    """Read and validate ``assignment.toml``."""
    path = Path(path)
    data = read_toml(path, AssignmentFormatError, "every assignment needs an assignment.toml")

    top = {"title", "deadline", "points", "limits", "late", "requires", "validate", "similarity", "gradescope", "serve"}
    unknown = sorted(set(data) - top)
    if unknown:
        raise _toml_error(path, unknown[0], f"is not a known key; known: {', '.join(sorted(top))}")

    title = data.get("title", default_title)
    if not isinstance(title, str) or not title.strip():
        raise _toml_error(path, "title", "must be a non-empty string")
    deadline = _datetime(path, "deadline", data["deadline"]) if "deadline" in data else None
    points = _number(path, "points", data["points"], positive=False) if "points" in data else None

    lim = _table(path, data, "limits", {f for f in Limits.__dataclass_fields__})
    limits = Limits(
        time_s=_number(path, "limits.time_s", lim.get("time_s", Limits.time_s)),
        memory_mb=_number(path, "limits.memory_mb", lim.get("memory_mb", Limits.memory_mb), integer=True),
        pids=_number(path, "limits.pids", lim.get("pids", Limits.pids), integer=True),
        cpus=_number(path, "limits.cpus", lim.get("cpus", Limits.cpus)),
        cell_timeout_s=_number(path, "limits.cell_timeout_s", lim.get("cell_timeout_s", Limits.cell_timeout_s)),
    )

    late_t = _table(path, data, "late", {"policy", "percent_per_day", "max_days", "cutoff"})
    policy = late_t.get("policy", "none")
    if policy not in ("none", "per_day", "cutoff"):
        raise _toml_error(path, "late.policy", f'must be "none", "per_day" or "cutoff", not {policy!r}')
    if policy != "none" and deadline is None:
        raise _toml_error(path, "late.policy", f'"{policy}" needs a `deadline`')
    percent = _number(path, "late.percent_per_day", late_t.get("percent_per_day", 0), positive=False)
    if percent > 100:
        raise _toml_error(path, "late.percent_per_day", f"must be at most 100, not {percent}")
    if policy == "per_day" and "percent_per_day" not in late_t:
        raise _toml_error(path, "late.percent_per_day", 'is required with policy = "per_day"')
    max_days = late_t.get("max_days")
    if max_days is not None:
        max_days = _number(path, "late.max_days", max_days, integer=True, positive=False)
    cutoff = _datetime(path, "late.cutoff", late_t["cutoff"]) if "cutoff" in late_t else None
    if policy == "cutoff":
        if cutoff is None:
            raise _toml_error(path, "late.cutoff", 'is required with policy = "cutoff"')
        if cutoff < deadline:
            raise _toml_error(path, "late.cutoff", "is before the deadline")
    late = LatePolicy(policy=policy, percent_per_day=float(percent), max_days=max_days, cutoff=cutoff)

    req = _table(path, data, "requires", {"models", "data"})
    lists = {}
    for key in ("models", "data"):
        value = req.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _toml_error(path, f"requires.{key}", f"must be a list of names, not {value!r}")
        lists[key] = tuple(value)
    from course_lib.models.zoo import ZOO

    unknown_models = [m for m in lists["models"] if m not in ZOO]
    if unknown_models:
        raise _toml_error(path, "requires.models", f"names {', '.join(unknown_models)}, which the zoo does not have "
                                                   f"(it has: {', '.join(ZOO)})")

    trusts = _table(path, data, "validate", {"trusts"}).get("trusts", {})
    if not isinstance(trusts, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                               for k, v in trusts.items()):
        raise _toml_error(path, "validate.trusts", 'must map test names to the reason, e.g. { "q2 - 3" = "why" }')

    sim = _table(path, data, "similarity", set(Similarity.__dataclass_fields__))
    threshold = _number(path, "similarity.threshold", sim.get("threshold", Similarity.threshold))
    if threshold > 1:
        raise _toml_error(path, "similarity.threshold", f"is a share of a student's work, at most 1, not {threshold}")
    similarity = Similarity(
        threshold=float(threshold),
        k=_number(path, "similarity.k", sim.get("k", Similarity.k), integer=True),
        window=_number(path, "similarity.window", sim.get("window", Similarity.window), integer=True),
        min_shared=_number(path, "similarity.min_shared", sim.get("min_shared", Similarity.min_shared), integer=True),
    )

    hidden = _table(path, data, "gradescope", {"hidden"}).get("hidden", "after_published")
    if hidden not in GRADESCOPE_VISIBILITY:
        raise _toml_error(path, "gradescope.hidden", f"must be one of {', '.join(GRADESCOPE_VISIBILITY)}, not {hidden!r}")

    serve = _table(path, data, "serve", {"feedback", "public_tests"})
    feedback = serve.get("feedback", "by_hand")
    if feedback not in FEEDBACK_RELEASE:
        raise _toml_error(path, "serve.feedback", f"must be one of {', '.join(FEEDBACK_RELEASE)}, not {feedback!r}")
    if feedback == "after_deadline" and deadline is None:
        raise _toml_error(path, "serve.feedback", "is after_deadline but the assignment has no deadline")
    public_tests = serve.get("public_tests", False)
    if not isinstance(public_tests, bool):
        raise _toml_error(path, "serve.public_tests", f"must be true or false, not {public_tests!r}")

    return AssignmentConfig(
        title=title, deadline=deadline, points=points, limits=limits, late=late,
        requires=Requirements(**lists), trusts=dict(trusts), similarity=similarity, gradescope_hidden=hidden,
        feedback_release=feedback, public_tests_on_upload=public_tests,
    )
