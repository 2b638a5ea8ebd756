"""The grading wire carries plain data only and refuses everything else."""

import io
import math

import numpy as np
import pytest
import torch

from autograder.isolation import wire


def roundtrip(value):
    return wire.decode(wire.encode(value))


def test_plain_values_roundtrip():
    value = {"a": [1, 2.5, None, True, "x"], 3: (1, 2), "s": {1, 2}, "b": b"\x00\xff", "big": 2**70}
    assert roundtrip(value) == value


def test_non_finite_floats_roundtrip():
    out = roundtrip([math.inf, -math.inf, math.nan])
    assert out[0] == math.inf and out[1] == -math.inf and math.isnan(out[2])


def test_arrays_and_tensors_keep_dtype_shape_and_kind():
    arr = np.arange(12, dtype=np.int16).reshape(3, 4)
    ten = torch.randn(2, 3, generator=torch.Generator().manual_seed(0))
    a, t = roundtrip(arr), roundtrip(ten)
    assert isinstance(a, np.ndarray) and a.dtype == np.int16 and (a == arr).all()
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32 and torch.equal(t, ten)
    assert roundtrip(torch.ones(2, dtype=torch.bfloat16)).dtype == torch.float32
    # a loss is a 0-d tensor: it must not come back as shape (1,)
    assert roundtrip(torch.tensor(0.25)).shape == () and roundtrip(np.float32(2.0) * np.ones(())).shape == ()


def test_object_arrays_are_refused_both_ways():
    with pytest.raises(TypeError):
        wire.encode(np.array([object()], dtype=object))
    forged = {"__nd__": "AAAA", "dtype": "object", "shape": [1], "torch": False}
    with pytest.raises(wire.WireError):
        wire.decode(forged)


def test_arbitrary_objects_need_a_reference_maker():
    class Sneaky:
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError):
        wire.encode(Sneaky())
    made = wire.encode(Sneaky(), make_ref=lambda obj: {"__ref__": 7, "type": "Sneaky"})
    assert made == {"__ref__": 7, "type": "Sneaky"}
    with pytest.raises(wire.WireError):
        wire.decode(made)          # a reference means nothing without a resolver


def test_unknown_tags_are_refused():
    with pytest.raises(wire.WireError):
        wire.decode({"__pickle__": "gASVAAAA"})


def test_frames_roundtrip_and_oversized_frames_are_refused_before_reading():
    buf = io.BytesIO()
    wire.write_frame(buf, {"op": "get", "name": "x"})
    buf.seek(0)
    assert wire.read_frame(buf) == {"op": "get", "name": "x"}
    big = io.BytesIO((10**12).to_bytes(8, "big") + b"{}")
    with pytest.raises(wire.WireError, match="exceeds"):
        wire.read_frame(big)
    with pytest.raises(EOFError):
        wire.read_frame(io.BytesIO(b"\x00\x00"))
    bad = io.BytesIO((5).to_bytes(8, "big") + b"[1,2]")
    with pytest.raises(wire.WireError):
        wire.read_frame(bad)


def test_digest_is_stable_and_sensitive():
    x = torch.arange(5.0)
    assert wire.digest([x, {"k": 3}]) == wire.digest([x.clone(), {"k": 3}])
    assert wire.digest([x, {"k": 3}]) != wire.digest([x + 1e-6, {"k": 3}])
