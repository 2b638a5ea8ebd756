"""``assignments/04-rlhf``: the lab's reference effects hold, and its tests prove themselves.

One release into a temporary folder (it runs the solution once and records the reference);
the reference effects are read from what the release recorded (``reference.json``), then
``validate`` runs the solution three times, the student template and one mutant per question through the
local backend. Needs tiny-gpt and tiny-toxicity (``course models build``); a few minutes on
two cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.isolation import wire
from tests.lab_checks import assert_lab_validates, release_lab

RLHF_ID = "04-rlhf"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rlhf")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(RLHF_ID, tmp_path_factory, models=("tiny-gpt", "tiny-toxicity"))


def _snapshot(folder: Path, key: str):
    """A value the release's solution run recorded with ``ref.snapshot(key, ...)``."""
    entries = json.loads((folder / "autograder" / "reference.json").read_text())["entries"]
    return wire.decode(entries["snapshot:" + key])


def test_reference_effects(released):
    """The lesson's claims, as measured on the reference solution at release."""
    from course_lib import rlhf
    from course_lib.models import zoo

    accuracy = _snapshot(released, "q1: pairwise accuracy of reward_model on 64 held-out pairs")
    assert accuracy >= 0.95, f"the reward model ranks only {accuracy:.3f} of held-out pairs right"

    toxicity = _snapshot(released, "q3: toxicity of rl_policy on held-out prompts")
    kl = _snapshot(released, "q3: KL of rl_policy")
    base, tok = zoo.load("tiny-gpt")
    base_toxicity = rlhf.evaluate_policy(base, None, tok)["toxicity"]
    assert base_toxicity >= 0.4, f"tiny-gpt's sampled replies are not toxic enough to fix ({base_toxicity:.3f})"
    # the acceptance: >= 30 % relative drop with the KL under the stated bound; ask for a margin
    assert toxicity <= 0.6 * base_toxicity, f"RL lowers toxicity only from {base_toxicity:.3f} to {toxicity:.3f}"
    assert 0.0 < kl <= 6.0, f"KL to the reference {kl:.2f} nats per reply (the stated bound is 8)"

    margin = _snapshot(released, "q4: implicit reward margin of dpo_policy on 64 held-out pairs")
    assert margin >= 1.5, f"DPO raises the chosen-over-rejected log-ratio by only {margin:.2f}"


def test_rlhf_validates(released):
    # the feedback page: reward-model accuracy, toxicity before / after RL and KL, DPO margin
    assert_lab_validates(RLHF_ID, released, {"q1", "q2", "q3", "q4"}, full_marks=28, shows={"metrics": 7})


def test_sampled_replies_do_not_depend_on_other_threads():
    """Graders run in threads of one process and ``generate(do_sample=True)`` draws from torch's
    global generator: without ``seeding.global_rng`` every concurrent run drew other replies."""
    from concurrent.futures import ThreadPoolExecutor

    from course_lib import rlhf
    from course_lib.models import zoo

    prompts = rlhf.held_out_prompts(8)
    models = [zoo.load("tiny-gpt") for _ in range(3)]
    expected = rlhf.sample_replies(*models[0], prompts)["texts"]
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(lambda i: rlhf.sample_replies(*models[i % 3], prompts)["texts"], range(9)))
    assert got == [expected] * 9
