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


def assert_doctest(doctest_text: str, name: str = "test") -> None:
    """Run an otter-style test: doctest examples and the output the master notebook recorded for
    them, in the caller's globals, compared as otter compares them (``doctest``'s exact text,
    default options). Raises AssertionError with doctest's report when the output differs.

    ``course release`` turns a test cell of bare expressions (otter's default, ``x == 3``) into a
    call to this, so it checks what otter would check instead of nothing.
    """
    import doctest
    import io
    import sys

    globs = sys._getframe(1).f_globals
    examples = [e for e in doctest.DocTestParser().parse(doctest_text, name) if isinstance(e, doctest.Example)]
    runner = doctest.DocTestRunner(verbose=False)
    report = io.StringIO()
    test = doctest.DocTest(examples, {}, name, None, None, doctest_text)
    test.globs = globs      # DocTest copies its globals; the grader's look names up in the student's process
    runner.run(test, out=report.write, clear_globs=False)
    if runner.failures:
        text = report.getvalue().strip()
        raise AssertionError(text[-2000:] or f"{name}: the output differs from the expected output")
