"""Determinism: the same seed on the same machine gives the same numbers, every run."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def set_seed(seed: int, threads: int | None = None) -> None:
    """Seed python, numpy and torch and make torch's kernels deterministic.

    ``threads`` fixes intra-op parallelism: float reductions can sum in a different order
    with a different thread count, so grading pins it.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    if threads is not None:
        torch.set_num_threads(threads)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
