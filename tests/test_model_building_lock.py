"""Graders in threads of one process build transformers models safely (grading/model_building_lock.py).

Each scenario runs in a fresh interpreter: without the lock it breaks weight tying, and a broken
process must not leak into the other tests. The unlocked runs show the races are real, so the
locked runs' passing means something.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _scenario(name: str, locked: bool) -> dict:
    """Thread A holds a ``from_pretrained`` build window open (the contexts it builds a model
    in) while thread B builds a model (``build``) or opens a window of its own (``load``)."""
    import threading
    from contextlib import ExitStack

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    if locked:
        from autograder.grading import model_building_lock
        model_building_lock.install()
    config = GPT2Config(vocab_size=97, n_positions=16, n_embd=8, n_layer=1, n_head=2)
    inside, b_done, a_left = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def window():
        with ExitStack() as stack:
            for context in GPT2LMHeadModel.get_init_context(torch.float32, False, False, None):
                stack.enter_context(context)
            GPT2LMHeadModel(config)     # what from_pretrained builds inside its window
            inside.set()
            seen["b_inside_a"] = b_done.wait(1.0)
        a_left.set()

    def other():
        inside.wait()
        if name == "build":
            model = GPT2LMHeadModel(config)
            seen["tied"] = model.lm_head.weight is model.transformer.wte.weight
        else:
            with ExitStack() as stack:
                for context in GPT2LMHeadModel.get_init_context(torch.float32, False, False, None):
                    stack.enter_context(context)
                b_done.set()
                a_left.wait(5.0)      # leave after A: the order in which tying's restores go wrong
        b_done.set()

    threads = [threading.Thread(target=window), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    later = GPT2LMHeadModel(config)      # after both: is tying still on in this process?
    seen["later_tied"] = later.lm_head.weight is later.transformer.wte.weight
    return seen


def _run(name: str, locked: bool) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); "
            f"from test_model_building_lock import _scenario; print(json.dumps(_scenario({name!r}, {locked})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
def test_a_model_built_while_another_thread_loads_is_tied(locked):
    seen = _run("build", locked)
    if locked:
        assert seen == {"b_inside_a": False, "tied": True, "later_tied": True}   # B waited for A's window
    else:
        assert seen["b_inside_a"] and seen["tied"] is False   # transformers alone: the head comes out untied


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
def test_overlapping_loads_leave_tying_on(locked):
    seen = _run("load", locked)
    if locked:
        assert seen == {"b_inside_a": False, "later_tied": True}
    else:
        assert seen["b_inside_a"] and seen["later_tied"] is False   # tying is off in the process for good


def test_install_is_idempotent():
    code = ("from autograder.grading import model_building_lock as m; from transformers import PreTrainedModel as P; "
            "m.install(); a = (P.post_init, P.get_init_context); m.install(); "
            "assert (P.post_init, P.get_init_context) == a; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "ok", out.stderr[-3000:]
