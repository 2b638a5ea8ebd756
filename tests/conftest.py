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


def pytest_sessionstart(session):
    """Stop at once, naming the models, when the zoo is not the recorded build: every lab's
    figures, thresholds and mutant cascades were measured on those bytes, and dozens of lab tests
    would otherwise fail later for this one reason. COURSE_ALLOW_OTHER_ZOO=1 runs the suite anyway."""
    if hasattr(session.config, "workerinput") or os.environ.get("COURSE_ALLOW_OTHER_ZOO"):
        return
    from course_lib.models import zoo

    problems = zoo.verify()
    if problems:
        pytest.exit("the model zoo is not the recorded build:\n  " + "\n  ".join(problems)
                    + "\n(COURSE_ALLOW_OTHER_ZOO=1 runs the suite anyway)", returncode=1)
