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
# Two workers and their notebooks share a few cores: OpenMP threads that spin while they wait for
# a descheduled peer made test_zoo's two-thread builds twice as slow (195 s against 96 s beside two
# busy processes). Passive waiting changes the scheduling, not the sums: those builds still give
# the installed zoo's bytes. Read when torch loads, so set before any test imports it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models run much faster single-threaded on a shared, busy CPU; restore afterwards."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def pytest_terminal_summary(terminalreporter):
    """Which zoo the suite ran on, at the end where failures are read (``-q`` hides the header).
    Not a reason to stop: pinned kernels give the recorded bytes only on CPUs like the one that
    recorded them (an Intel Xeon gave other bytes than the AMD EPYC that recorded the zoo, README
    "The tiny model zoo"), so every lab test releases its lab on the zoo present and asserts its
    lessons with margins measured on several builds."""
    if hasattr(terminalreporter.config, "workerinput"):
        return
    from course_lib.models import zoo

    problems = zoo.verify()
    if not problems:
        terminalreporter.write_line("model zoo: the recorded build")
        return
    terminalreporter.write_line("model zoo: another build than the recorded one (lab figures may differ from the README's):")
    for p in problems:
        terminalreporter.write_line(f"  {p.split(';')[0]}")
