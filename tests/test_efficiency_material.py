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


def test_train_run_spends_its_compute_and_repeats_itself():
    torch.set_num_threads(1)
    a = pretraining.train_run(16, 1, 2e9, seed=3)
    b = pretraining.train_run(16, 1, 2e9, seed=3)
    assert a["val_loss"] == b["val_loss"] and a["N"] == b["N"]
    assert a["N"] == pretraining.parameters(pretraining.model(16, 1))
    # D = C / (6 N), rounded down to whole batches
    assert a["D"] == a["steps"] * pretraining.BATCH * pretraining.CONTEXT
    assert 6 * a["N"] * a["D"] <= 2e9 < 6 * a["N"] * (a["D"] + pretraining.BATCH * pretraining.CONTEXT)
    assert a["val_loss"] < math.log(len(pretraining.corpus()[2]))   # it learnt something: below uniform


def test_parabola_minimum():
    xs = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert pretraining.parabola_minimum(xs, [(x - 2.6) ** 2 + 1 for x in xs]) == (pytest.approx(2.6), True)
    # local: the far end of the grid does not move the fit around the best point
    bent = [(x - 2.6) ** 2 + 1 for x in xs[:4]] + [0.5 + 40]
    assert pretraining.parabola_minimum(xs, bent)[0] == pytest.approx(2.6)
    # the grid in any order; the best at an end is no interior minimum
    assert pretraining.parabola_minimum(xs[::-1], [(x - 2.6) ** 2 for x in xs[::-1]])[0] == pytest.approx(2.6)
    assert pretraining.parabola_minimum(xs, [5.0, 4.0, 3.0, 2.0, 1.0]) == (5.0, False)
