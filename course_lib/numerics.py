"""Pinned CPU numerics: the same float results on every x86-64 machine with AVX2.

PyTorch's CPU wheel picks its vectorised kernels by the CPU it finds (ATen's "CPU capability":
AVX-512 on one machine, AVX2 on another) and MKL picks its own code path the same way. The
kernels agree only to the last bit, and training amplifies last-bit differences: the same
tiny-gpt recipe, code and seed gave different weights with ATen's AVX-512 and AVX2 kernels on
one machine. So everything whose numbers must match across machines (building the zoo,
recording the reference at release, grading) runs with the kernels pinned:

* ``ATEN_CPU_CAPABILITY=avx2``: ATen's AVX2 kernels even where AVX-512 exists (AVX-512 and
  AVX2 kernels gave tiny-gpt different weights on one machine);
* ``MKL_CBWR=AVX2,STRICT``: MKL's conditional numerical reproducibility on its AVX2 branch, in
  strict mode (reproducible whatever the arrays' alignment). Intel documents it as what makes
  results agree across its AVX2 CPUs; on an AMD CPU, MKL's own dispatch and this branch gave
  tiny-flan different weights;
* ``ONEDNN_MAX_CPU_ISA=AVX2``: oneDNN's kernels capped the same way.

AVX2 because practically every x86-64 CPU of the last decade has it (laptops, cluster nodes,
Gradescope's runners), and because it costs 0-3 % of build time here (README, "Measured"). A
machine without AVX2 (or an ARM laptop) cannot reproduce these kernels: it installs the zoo
built elsewhere rather than building its own.

Each variable is read once, when its library first computes, so :func:`pin` must run before
torch's first operation; :func:`problem` says whether it took.
"""

from __future__ import annotations

import os
import platform

PINNED = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "AVX2,STRICT",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
}
CAPABILITY = "AVX2"          # what torch.backends.cpu.get_cpu_capability() reports once pinned
VERSION = 1                  # recorded in every model card: a zoo built before pinning is rebuilt


def pin(env: dict | None = None) -> dict:
    """Set the pinned variables in ``env`` (default: this process's environment); returns it.

    Not on a CPU without AVX2: asking ATen for kernels the CPU lacks kills the process with an
    illegal instruction (seen with ``ATEN_CPU_CAPABILITY=avx512`` on an AVX2 machine)."""
    target = os.environ if env is None else env
    if cpu_has_avx2():
        target.update(PINNED)
    return target


def _cpuinfo(field: str) -> str | None:
    """The value of the first ``field`` line of /proc/cpuinfo (Linux), or None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_has_avx2() -> bool:
    """Whether this CPU runs AVX2 code, read without starting torch (whose first operation
    fixes its kernels): the flags in /proc/cpuinfo on Linux; elsewhere, no (macOS on Intel
    is rare now, and an ARM CPU has no AVX2)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    return "avx2" in (_cpuinfo("flags") or "").split()


def cpu_name() -> str:
    """The CPU's model name ("AMD EPYC 7B13", "Intel(R) Xeon(R) Processor"), as /proc/cpuinfo gives it."""
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def pinned_env(base: dict | None = None) -> dict:
    """A copy of ``base`` (default: this process's environment) with the kernels pinned."""
    return pin(dict(os.environ if base is None else base))


def capability() -> str:
    import torch

    return torch.backends.cpu.get_cpu_capability()


def problem() -> str | None:
    """Why this process does not compute with the pinned kernels, or None when it does."""
    if not cpu_has_avx2():
        return "this CPU has no AVX2, so the pinned kernels cannot run here"
    unset = [f"{k}={v}" for k, v in PINNED.items() if os.environ.get(k) != v]
    if unset:
        return f"the environment lacks {', '.join(unset)}"
    got = capability()
    if got != CAPABILITY:
        return f"torch computes with {got} kernels, not {CAPABILITY}: it ran an operation before they were pinned"
    return None


def describe() -> dict:
    """What a model card records about the kernels that built it."""
    import torch

    return {"version": VERSION, "aten_capability": capability(), "mkl_cbwr": os.environ.get("MKL_CBWR"),
            "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"), "threads": torch.get_num_threads(),
            "torch": torch.__version__, "pinned": problem() is None,
            # a preloaded library can change the kernels (benchmarks/mkl_vendor.py changes MKL's)
            "ld_preload": os.environ.get("LD_PRELOAD") or None}
