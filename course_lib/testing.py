"""Comparison helpers for assignment tests (public tests in the student's kernel and
hidden tests in the grading process use the same ones).

Default tolerances follow CS336's choice, ``rtol=1e-4, atol=1e-2``; a test tightens them
where the maths is exact (``assert_close(a, b, atol=1e-6)``).
"""

from __future__ import annotations

import numpy as np

RTOL, ATOL = 1e-4, 1e-2


def _as_array(x) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            x = x.float()
        x = x.numpy()
    return np.asarray(x)


def assert_close(actual, expected, rtol: float = RTOL, atol: float = ATOL, what: str = "value") -> None:
    """Assert equal shape and ``|actual - expected| <= atol + rtol * |expected|`` everywhere."""
    a, e = _as_array(actual), _as_array(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{what}: shape {tuple(a.shape)} != expected {tuple(e.shape)}")
    if a.dtype.kind in "biuf" and e.dtype.kind in "biuf":
        bad = ~np.isclose(a.astype(float), e.astype(float), rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise AssertionError(f"{what}: {int(bad.sum())} of {a.size} entries differ; "
                                 f"first at {idx}: {a[idx]!r} vs expected {e[idx]!r} (rtol={rtol}, atol={atol})")
    elif not np.array_equal(a, e):
        raise AssertionError(f"{what}: {a!r} != expected {e!r}")


def assert_equal(actual, expected, what: str = "value") -> None:
    if actual != expected:
        raise AssertionError(f"{what}: {actual!r} != expected {expected!r}")
