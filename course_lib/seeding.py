"""Determinism: the same seed on the same machine gives the same numbers, every run."""

from __future__ import annotations

import contextlib
import os
import random
import threading

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


# torch's global random generator is one per process: two gradings in threads of one process
# (``course validate``, ``course grade -j N``) that seed it and then sample interleave their draws.
_GLOBAL_RNG = threading.Lock()


@contextlib.contextmanager
def global_rng(seed: int):
    """Seed torch's global generator and keep it to this thread until the block ends.

    For code that must draw from the global generator (``model.generate(do_sample=True)``
    takes no generator): the draws are the ones ``torch.manual_seed(seed)`` gives, whatever
    other threads do, provided they sample under this lock too.
    """
    with _GLOBAL_RNG:
        torch.manual_seed(seed)
        yield
