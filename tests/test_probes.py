"""`course validate --probes` finds hidden tests that give points without the work: one that trusts
a notebook's variable (a fixture whose hidden test checks a value the notebook computed, not the
function), and one that passes on an untrained saved model or adapter (a fixture whose solution
saves a tiny-gpt reward model and a LoRA adapter, with a test of each that reads only the config)."""

from __future__ import annotations

import json

import pytest

from autograder.authoring.config import AssignmentFormatError, load_config
from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release
from autograder.release.probes import ARTEFACTS, load_artefacts, write_untrained
from autograder.release.validate import judge_untrained, validate
from toy_notebooks import TOY_ID, code, copy_toy, raw

TRUSTING_TEST = '''""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
assert spread == 2.0
'''


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def trusting_toy(tmp_path, trusts: str = "") -> tuple:
    """The toy, whose q1 solution also leaves ``spread`` in a variable and whose third q1 test
    (hidden) checks that variable instead of calling ``mean_abs``."""
    root = copy_toy(tmp_path)
    master = root / TOY_ID / f"{TOY_ID}.ipynb"
    nb = json.loads(master.read_text())
    cells = nb["cells"]
    solution = next(i for i, c in enumerate(cells) if "def mean_abs" in "".join(c["source"]))
    cells[solution]["source"] = "".join(cells[solution]["source"]) + "\n\nspread = mean_abs([-3.0, 1.0, 2.0])\n"
    hidden = next(i for i, c in enumerate(cells) if "zebra-7" in "".join(c["source"]))
    cells.insert(hidden + 1, _cell("code", TRUSTING_TEST))
    master.write_text(json.dumps(nb))
    if trusts:
        toml = root / TOY_ID / "assignment.toml"
        toml.write_text(toml.read_text() + f"\n[validate]\ntrusts = {trusts}\n")
    out = release(root / TOY_ID, tmp_path / "dist")
    return root / TOY_ID, out.folder


def probe(checks):
    return next(c for c in checks if c.kind == "probe")


def test_a_hidden_test_that_reads_a_variable_fails_validation(tmp_path):
    folder, dist = trusting_toy(tmp_path)
    checks = validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True, probes=True)
    by_kind = {c.kind: c for c in checks}
    assert by_kind["template"].ok, "the template alone earns nothing: only the probe sees the trust"
    check = probe(checks)
    assert not check.ok
    assert check.detail.startswith("1 hidden tests read notebook values")
    assert "q1 - 3 (spread)" in check.detail and check.lost == ["q1 - 3"]


def test_a_declared_exception_is_printed_not_failed(tmp_path):
    folder, dist = trusting_toy(tmp_path, trusts='{ "q1 - 3" = "the fixture says so" }')
    check = probe(validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True, probes=True))
    assert check.ok and "trusted by assignment.toml: q1 - 3 (the fixture says so)" in check.detail


def test_tests_that_call_the_students_functions_pass_the_probe(tmp_path):
    root = copy_toy(tmp_path)
    out = release(root / TOY_ID, tmp_path / "dist")
    checks = validate(root / TOY_ID, out.folder, LocalBackend(), workers=2, log=lambda *_: None, quick=True,
                      probes=True)
    check = probe(checks)
    assert check.ok and check.detail.startswith("0 hidden tests read notebook values"), check.detail
    assert untrained(checks).ok and untrained(checks).detail == "the solution saves no model"


def test_an_exception_needs_a_reason(tmp_path):
    root = copy_toy(tmp_path)
    toml = root / TOY_ID / "assignment.toml"
    toml.write_text(toml.read_text() + '\n[validate]\ntrusts = { "q1 - 2" = " " }\n')
    with pytest.raises(AssignmentFormatError, match="validate.trusts"):
        load_config(toml)


# -- untrained artefacts -------------------------------------------------------------------------

SAVING_SOLUTION = """import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification
from course_lib.models import zoo
# BEGIN SOLUTION
scorer = AutoModelForSequenceClassification.from_pretrained(zoo.path("tiny-gpt"), num_labels=1)
with torch.no_grad():
    scorer.score.weight.fill_(0.5)               # stands for training the reward head
scorer.save_pretrained("scorer")
lora = get_peft_model(AutoModelForCausalLM.from_pretrained(zoo.path("tiny-gpt")),
                      LoraConfig(r=2, target_modules=["c_attn"], task_type="CAUSAL_LM"))
with torch.no_grad():
    for name, p in lora.named_parameters():
        if "lora_B" in name:
            p.fill_(0.01)                        # stands for training the adapter
lora.save_pretrained("runs/lora")
# END SOLUTION
"""
HIDDEN = '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\nimport numpy as np\n'
SAVED_TESTS = [   # q4 - 1 and q4 - 3 read only the configs: an untrained folder passes them
    HIDDEN + 'import json\nconfig = json.loads((student_path("scorer") / "config.json").read_text())\n'
             'assert config["architectures"] == ["GPT2ForSequenceClassification"] and len(config["id2label"]) == 1\n',
    HIDDEN + 'from safetensors.numpy import load_file\n'
             'assert np.allclose(load_file(str(student_path("scorer") / "model.safetensors"))["score.weight"], 0.5)\n',
    HIDDEN + 'import json\nconfig = json.loads((student_path("runs/lora") / "adapter_config.json").read_text())\n'
             'assert config["r"] == 2 and config["target_modules"] == ["c_attn"]\n',
    HIDDEN + 'from safetensors.numpy import load_file\n'
             'weights = load_file(str(student_path("runs/lora") / "adapter_model.safetensors"))\n'
             'assert all(np.abs(w).max() > 0 for k, w in weights.items() if "lora_B" in k)\n',
]


def saving_toy(tmp_path, trusts: str = "") -> tuple:
    """The toy plus q4, whose solution saves a reward model (tiny-gpt with a one-output head) into
    ``scorer/`` and a LoRA adapter on tiny-gpt into ``runs/lora/``; of its four hidden tests, the
    first and third read only the saved configs, the second and fourth the trained weights."""
    root = copy_toy(tmp_path)
    master = root / TOY_ID / f"{TOY_ID}.ipynb"
    nb = json.loads(master.read_text())
    q4 = [raw("# BEGIN QUESTION\nname: q4\npoints: [1, 1, 1, 1]"),
          _cell("markdown", "## Question 4: save a trained reward model and adapter"),
          raw("# BEGIN SOLUTION"), code(SAVING_SOLUTION), raw("# END SOLUTION"), raw("# BEGIN TESTS"), *[code(t) for t in SAVED_TESTS], raw("# END TESTS"),
          raw("# END QUESTION")]
    nb["cells"][-1:-1] = q4
    master.write_text(json.dumps(nb))
    toml = root / TOY_ID / "assignment.toml"
    text = (toml.read_text().replace("points = 6", "points = 10").replace("memory_mb = 1024", "memory_mb = 3072")
            .replace("models = []", 'models = ["tiny-gpt"]'))
    toml.write_text(text + (f"\n[validate]\ntrusts = {trusts}\n" if trusts else ""))
    out = release(root / TOY_ID, tmp_path / "dist")
    return root / TOY_ID, out.folder


def untrained(checks):
    return next(c for c in checks if c.name == "untrained artefacts")


@pytest.fixture(scope="module")
def zoo_gpt():
    from course_lib.models import zoo

    if not (zoo.path("tiny-gpt") / zoo.CARD).exists():
        pytest.skip("tiny-gpt is not built (course models build tiny-gpt)")
    return zoo.path("tiny-gpt")


def test_release_records_the_saved_folders_and_their_readers(tmp_path, zoo_gpt):
    folder, dist = saving_toy(tmp_path)
    saved = {f["path"]: f for f in load_artefacts(dist / "autograder")["folders"]}
    assert sorted(saved) == ["runs/lora", "scorer"]
    scorer, lora = saved["scorer"], saved["runs/lora"]
    assert (scorer["kind"], scorer["base"], scorer["config"]["architectures"]) == \
        ("model", "tiny-gpt", ["GPT2ForSequenceClassification"])
    assert (lora["kind"], lora["base"], lora["adapter_config"]["r"]) == ("adapter", "tiny-gpt", 2)
    assert scorer["tests"] == ["q4 - 1", "q4 - 2"] and lora["tests"] == ["q4 - 3", "q4 - 4"]
    assert not (dist / "student" / ARTEFACTS).exists()


def test_a_test_that_passes_on_an_untrained_folder_fails_validation(tmp_path, zoo_gpt):
    folder, dist = saving_toy(tmp_path)
    checks = validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True, probes=True)
    by_name = {c.name: c for c in checks}
    assert by_name["full marks"].ok and by_name["zero"].ok, [c.detail for c in checks]
    check = untrained(checks)
    assert not check.ok
    # the tests of the trained weights (q4 - 2, q4 - 4) pass the probe: only the config checks are named
    assert check.lost == ["q4 - 1", "q4 - 3"], check.detail
    assert check.detail.startswith("2 saved folders (runs/lora, scorer); 4 tests read them, 8 autograded tests graded")
    assert "q4 - 1 (scorer); q4 - 3 (runs/lora)" in check.detail


def test_a_trusted_untrained_pass_is_printed_not_failed(tmp_path, zoo_gpt):
    folder, dist = saving_toy(tmp_path, trusts='{ "q4 - 1" = "a config check", "q4 - 3" = "the adapter\'s shape" }')
    check = untrained(validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True,
                               probes=True))
    assert check.ok, check.detail
    assert "none passes on untrained ones" in check.detail
    assert "trusted by assignment.toml: q4 - 1 (a config check); q4 - 3 (the adapter's shape)" in check.detail


def test_write_untrained_rebuilds_from_the_zoo(tmp_path, zoo_gpt):
    """A reward model gets tiny-gpt's body and a fresh head; an adapter whose config names another
    machine's path is rebuilt on the zoo's tiny-gpt, with LoRA's B matrices still zero."""
    import torch
    from safetensors.torch import load_file

    zoo_weights = load_file(str(zoo_gpt / "model.safetensors"))
    config = json.loads((zoo_gpt / "config.json").read_text())
    config.update(architectures=["GPT2ForSequenceClassification"], id2label={"0": "LABEL_0"},
                  label2id={"LABEL_0": 0}, pad_token_id=0, _name_or_path="/elsewhere/tiny-gpt")
    (tmp_path / "rm").mkdir()
    (tmp_path / "rm" / "stale.txt").write_text("the template's own save")
    write_untrained({"path": "rm", "kind": "model", "base": "tiny-gpt", "config": config, "tokenizer": True,
                     "kept_files": {"generation_config.json": '{"max_new_tokens": 7}'}}, tmp_path)
    saved = load_file(str(tmp_path / "rm" / "model.safetensors"))
    assert saved["score.weight"].shape == (1, config["n_embd"])
    assert torch.equal(saved["transformer.h.0.attn.c_attn.weight"], zoo_weights["transformer.h.0.attn.c_attn.weight"])
    assert json.loads((tmp_path / "rm" / "config.json").read_text())["pad_token_id"] == 0
    assert (tmp_path / "rm" / "tokenizer.json").is_file() and not (tmp_path / "rm" / "stale.txt").exists()
    assert json.loads((tmp_path / "rm" / "generation_config.json").read_text()) == {"max_new_tokens": 7}

    adapter = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 2, "lora_alpha": 4, "target_modules": ["c_attn"],
               "base_model_name_or_path": "/home/someone/models/tiny-gpt", "inference_mode": True}
    write_untrained({"path": "out/ad", "kind": "adapter", "base": "tiny-gpt", "adapter_config": adapter,
                     "tokenizer": False, "kept_files": {}}, tmp_path)
    written = json.loads((tmp_path / "out" / "ad" / "adapter_config.json").read_text())
    assert written["base_model_name_or_path"] == str(zoo_gpt) and written["r"] == 2
    lora = load_file(str(tmp_path / "out" / "ad" / "adapter_model.safetensors"))
    assert lora and all(not w.any() for k, w in lora.items() if "lora_B" in k)


def test_the_untrained_probe_without_a_record_or_a_saved_model():
    missing = judge_untrained(None, None, None, set(), {})
    assert not missing.ok and "release again to record it" in missing.detail and ARTEFACTS in missing.detail
    none = judge_untrained({"version": 1, "folders": []}, None, None, set(), {})
    assert none.ok and none.detail == "the solution saves no model"
