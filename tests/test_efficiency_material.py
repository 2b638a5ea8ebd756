"""``course_lib.efficiency`` and ``course_lib.pretraining``: the pieces 08-efficient-inference's
tests and the IsoFLOP sweep rest on say what they claim.

The held-out tensors put row 2 exactly half-way between two int4 levels under every granularity
(so the rounding rule decides them), row 1 at zero, and no equal nonzero magnitudes when pruning
needs none; ``block_linears`` is every block linear of tiny-flan and nothing shared with the
embedding; a pre-training run spends the compute it is given and repeats itself.
"""

from __future__ import annotations

import math

import pytest
import torch

from course_lib import efficiency, pretraining


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_held_out_tensor_puts_row_two_half_way_between_int4_levels(seed):
    w = efficiency.held_out_tensor(seed)
    assert w.dtype == torch.float32 and w.shape == (12, 64)
    assert float(w.abs().max()) == 0.875 and bool((w[1] == 0).all())
    scale = 0.875 / 7                                         # exact: the tensor's, row 2's and each group's of 32
    for group in (w[2, :32], w[2, 32:]):
        assert float(group.abs().max()) == 0.875
    levels = w[2][w[2].abs() != 0.875] / scale
    assert bool((levels - levels.floor() == 0.5).all()), levels
    # the same seed, the same values (a recorded reference must find them at grading)
    assert torch.equal(w, efficiency.held_out_tensor(seed))


def test_held_out_tensor_for_pruning_has_no_ties():
    w = efficiency.held_out_tensor(21, rows=8, cols=64, halves=False)
    magnitudes = w.abs().flatten()
    nonzero = magnitudes[magnitudes != 0]
    assert len(set(nonzero.tolist())) == len(nonzero)
    assert int((magnitudes == 0).sum()) == 64                 # row 1 only


def test_block_linears_are_the_blocks_and_not_the_output_layer():
    from course_lib.models import zoo

    flan, _ = zoo.load("tiny-flan")
    names = [name for name, _ in efficiency.block_linears(flan)]
    # encoder: q, k, v, o, wi_0, wi_1, wo per block; decoder: self- and cross-attention too
    assert len(names) == 2 * 7 + 2 * 11
    assert all(".block." in n for n in names) and "lm_head" not in names
    shared = flan.shared.weight.data_ptr()
    assert all(layer.weight.data_ptr() != shared for _, layer in efficiency.block_linears(flan))


def test_pretraining_corpus_splits_documents():
    train, val, vocab = pretraining.corpus()
    assert "\n" in vocab and len(vocab) < 100
    assert len(train) > 8 * len(val) > 0
    assert min(train + val) >= 0 and max(train + val) < len(vocab)
    assert train.count(vocab.index("\n")) > 9 * val.count(vocab.index("\n")) * 0.8   # about 90 % of the documents


def test_pretraining_train_repeats_itself_on_one_thread():
    threads = torch.get_num_threads()
    a = pretraining.train(16, 1, 40, seed=3)
    b = pretraining.train(16, 1, 40, seed=3)
    assert torch.get_num_threads() == threads   # one thread inside, the caller's setting restored
    assert a["val_loss"] == b["val_loss"] and a["N"] == b["N"] == pretraining.parameters(pretraining.model(16, 1))
    assert a["D"] == 40 * pretraining.BATCH * pretraining.CONTEXT
    assert a["val_loss"] < math.log(len(pretraining.corpus()[2]))   # it learnt something: below uniform
    assert pretraining.train(16, 1, 40, seed=4)["val_loss"] != a["val_loss"]


def test_isoflop_benchmark_fit_and_steps():
    from benchmarks.isoflop_sweep import parabola_minimum, steps_for_budget

    xs = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert parabola_minimum(xs, [(x - 2.6) ** 2 + 1 for x in xs]) == (pytest.approx(2.6), True)
    # local: the far end of the grid does not move the fit around the best point
    bent = [(x - 2.6) ** 2 + 1 for x in xs[:4]] + [0.5 + 40]
    assert parabola_minimum(xs, bent)[0] == pytest.approx(2.6)
    # the grid in any order; the best at an end is no interior minimum
    assert parabola_minimum(xs[::-1], [(x - 2.6) ** 2 for x in xs[::-1]])[0] == pytest.approx(2.6)
    assert parabola_minimum(xs, [5.0, 4.0, 3.0, 2.0, 1.0]) == (5.0, False)
    # C = 6 N D in whole batches, rounded down, never zero
    tokens = pretraining.BATCH * pretraining.CONTEXT
    assert steps_for_budget(6 * 1000 * tokens * 7.9, 1000, pretraining.BATCH) == 7
    assert steps_for_budget(1.0, 1000, pretraining.BATCH) == 1


def test_continued_pretraining_material():
    from course_lib.models import zoo

    train, held_out = pretraining.kb_passages()
    assert len(held_out) == 36 and len(train) + len(held_out) == 352 and not set(train) & set(held_out)
    desk = pretraining.support_desk_texts(5)
    assert len(desk) == 5 and all(t.count("\n") == 1 and t.endswith((".", "?", "!")) for t in desk)   # a turn and its reply
    gpt, tok = zoo.load("tiny-gpt")
    ids = tok.encode(held_out[0])
    losses = pretraining.token_losses(gpt, ids)
    x = torch.tensor([ids])
    with torch.no_grad():
        mean = float(gpt(input_ids=x, labels=x).loss)   # transformers' own shifted mean
    assert len(losses) == len(ids) - 1 and sum(losses) / len(losses) == pytest.approx(mean, rel=1e-5)
