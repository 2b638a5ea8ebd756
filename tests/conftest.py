"""Offline by construction: no test may reach a model, dataset or metric hub; and the same
pinned CPU kernels as `course` itself (before any test imports torch), so the suite computes
what a release and a grading compute on any machine."""

import os

import pytest

from course_lib import numerics

numerics.pin()
for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models run much faster single-threaded on a shared, busy CPU; restore afterwards."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
