"""Pinned CPU kernels (``course_lib.numerics``): set where the CPU can run them, never where it cannot."""

from __future__ import annotations

import os

from course_lib import numerics


def test_this_process_computes_with_the_pinned_kernels():
    # conftest pins before any test imports torch, as `course` does at start-up
    assert numerics.problem() is None
    assert numerics.describe()["pinned"] and numerics.capability() == numerics.CAPABILITY


def test_pinned_env_is_a_copy_with_the_kernels_set():
    base = {"PATH": "/bin", "ATEN_CPU_CAPABILITY": "default"}
    env = numerics.pinned_env(base)
    assert env["ATEN_CPU_CAPABILITY"] == "avx2" and env["MKL_CBWR"] == "AVX2,STRICT" and env["PATH"] == "/bin"
    assert base["ATEN_CPU_CAPABILITY"] == "default", "the caller's environment is left alone"


def test_a_cpu_without_avx2_is_never_asked_for_avx2_kernels(monkeypatch):
    """torch dies with an illegal instruction on kernels the CPU lacks: nothing is pinned there,
    and the reason is said instead."""
    monkeypatch.setattr(numerics, "cpu_has_avx2", lambda: False)
    env = {"PATH": "/bin"}
    assert numerics.pin(env) == {"PATH": "/bin"}
    assert "no AVX2" in numerics.problem()


def test_an_unpinned_environment_is_named(monkeypatch):
    monkeypatch.delenv("MKL_CBWR")
    assert numerics.problem() == "the environment lacks MKL_CBWR=AVX2,STRICT"
    assert os.environ["ATEN_CPU_CAPABILITY"] == "avx2"
