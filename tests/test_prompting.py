"""``assignments/01-prompting``: the lesson's effects hold in the reference, and the tests prove themselves.

One release (which runs the solution once and records the reference) into a module-scoped
folder; the lesson's effects are read from the ROUGE table that release recorded on the fixed
evaluation slice, then ``validate`` runs the solution three times, the student template and every
mutant through the local backend. Needs tiny-flan (``course models build``); dialogsum is
written to the cache if missing.
"""

from __future__ import annotations

import pytest

from autograder.grading.reference_replay import ReplayReference
from tests.lab_checks import assert_lab_validates, release_lab

PROMPTING_ID = "01-prompting"
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5", "q7"}
TABLE_KEY = "q5: ROUGE by prompt style, dialogsum test[:24]"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prompting")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(PROMPTING_ID, tmp_path_factory, models=("tiny-flan",))


def test_reference_shows_the_lessons_effects(released):
    """On the fixed slice, few-shot beats zero-shot and the instruction beats no prompt (ROUGE-L)."""
    ref = ReplayReference.load(released / "autograder")
    scores = ref.snapshot(TABLE_KEY)
    assert set(scores) == {"no prompt", "zero-shot", "one-shot", "few-shot", "own template"}, scores
    rouge_l = {style: s["rougeL"] for style, s in scores.items()}
    effects = "ROUGE-L " + ", ".join(f"{style} {value:.3f}" for style, value in rouge_l.items())
    print(effects)
    # the bar: few-shot beats zero-shot, the instruction beats no prompt. Worked examples
    # paid +0.20 before tiny-flan's mix took in 05-rag's reading drills; now +0.04-0.06 (README)
    assert rouge_l["few-shot"] >= rouge_l["zero-shot"] + 0.03, effects      # worked examples pay
    assert rouge_l["zero-shot"] >= rouge_l["no prompt"] + 0.05, effects     # the instruction beats no prompt
    assert rouge_l["one-shot"] >= rouge_l["zero-shot"] + 0.03, effects
    assert rouge_l["own template"] > max(rouge_l["few-shot"], rouge_l["one-shot"]), effects  # the model's own template wins
    for s in scores.values():
        assert all(0.0 <= s[name] <= 1.0 for name in ("rouge1", "rouge2", "rougeL")), scores


def test_reference_prompts_are_the_formats_tiny_flan_was_trained_on(released):
    """The solution's builders give exactly course_lib's instruction formats (what makes the model follow them)."""
    from course_lib import data
    from course_lib.data.instructions import OWN_TEMPLATE, summary_prompt

    ref = ReplayReference.load(released / "autograder")
    rows, pool = data.rows("dialogsum", "test")[:24], data.rows("dialogsum", "train")[:20]
    shot = [(pool[0]["dialogue"], pool[0]["summary"])]
    lengths = []
    for r in rows:
        d = r["dialogue"]
        assert ref.zero_shot_prompt(d) == summary_prompt(d)
        assert ref.one_shot_prompt(pool[0], d) == summary_prompt(d, shot)
        assert ref.own_template_prompt(d) == OWN_TEMPLATE.format(dialogue=d)
        chosen = ref.choose_examples(pool, d, 2, 256)
        prompt = ref.few_shot_prompt(chosen, d, len(chosen))
        assert prompt == summary_prompt(d, [(c["dialogue"], c["summary"]) for c in chosen])
        lengths.append(len(chosen))
    # the context window decides: some dialogues get two examples, some only one
    assert 1 in lengths and 2 in lengths, lengths


def test_sampled_tokens_equal_generate():
    """The q4 hidden test's stand-in for generate (a private generator, so threads cannot interleave draws)
    gives exactly generate's tokens after torch.manual_seed, on the test's prompts and settings."""
    import torch

    from course_lib import data
    from course_lib.data.instructions import OWN_TEMPLATE, summary_prompt
    from course_lib.models import zoo
    from course_lib.prompting import sampled_tokens

    if not (zoo.path("tiny-flan") / zoo.CARD).exists():
        pytest.skip("tiny-flan is not built: run `course models build`")
    model, tokenizer = zoo.load("tiny-flan")
    rows = data.rows("dialogsum", "validation")[20:23]
    prompts = [summary_prompt(rows[0]["dialogue"]), OWN_TEMPLATE.format(dialogue=rows[1]["dialogue"]), rows[2]["dialogue"]]
    settings = [(1.0, None, None, 0), (0.7, 20, None, 1), (1.3, None, 0.9, 2), (0.9, 40, 0.8, 3)]
    for prompt in prompts:
        input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
        for t, k, p, seed in settings:
            torch.manual_seed(seed)
            with torch.no_grad():
                expected = model.generate(input_ids, do_sample=True, temperature=t, top_k=k or 0, top_p=p or 1.0,
                                          max_new_tokens=24)[0, 1:].tolist()
            before = torch.get_rng_state()
            got = sampled_tokens(model, input_ids, 24, temperature=t, top_k=k, top_p=p, seed=seed)
            assert got == expected, (prompt[:40], t, k, p, seed)
            assert torch.equal(torch.get_rng_state(), before), "sampled_tokens must not touch the global generator"


def test_prompting_validates(released):
    # the feedback page: three few-shot summaries next to the reference's, ROUGE-L of each prompt style
    assert_lab_validates(PROMPTING_ID, released, AUTOGRADED, full_marks=95, shows={"samples": 3, "metrics": 5})
