"""MKL's vendor check, answered "Intel": how an AMD machine builds the zoo an Intel machine builds.

The pinned kernels (``course_lib.numerics``) give the same bytes on every CPU of one vendor, but
an Intel Xeon and an AMD EPYC still give different ones: MKL (linked into torch's CPU wheel)
asks CPUID for the vendor and, on a CPU that is not "GenuineIntel", takes other code paths even
on its AVX2 branch. Two of MKL's exported functions answer that question
(``mkl_serv_intel_cpu_true`` and ``mkl_serv_intel_cpu``), and libtorch_cpu calls them through
its PLT, so a preloaded library that defines them wins. With it, an AMD EPYC (Zen 4) built the
Intel Xeon's tiny-toxicity, tiny-gpt and tiny-flan byte for byte, and its tiny-encoder in about
half of its builds: other vendor checks (inlined in MKL, oneDNN's) still answer "AMD", and that
mix made the encoder's build nondeterministic (README, "The tiny model zoo"). Check the hashes.

This is a measuring tool, not part of the product: it lets one machine of either vendor build
both vendors' zoos for ``lesson_robustness.py`` and ``lab_on_another_build.py``. On an Intel CPU
it changes nothing. Written by hand because no package does it: it is two C functions.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = """\
/* MKL asks these whether the CPU is Intel's; answer yes (benchmarks/mkl_vendor.py) */
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
"""


def intel_dispatch_library() -> str:
    """The path of the shared library to put in LD_PRELOAD, compiled once (by ``cc``) per source."""
    out = Path(tempfile.gettempdir()) / f"mkl-intel-dispatch-{hashlib.sha256(SOURCE.encode()).hexdigest()[:12]}.so"
    if not out.exists():
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise SystemExit("benchmarks/mkl_vendor.py: the -intel-mkl settings need a C compiler (cc) on PATH")
        with tempfile.TemporaryDirectory() as tmp:
            src, lib = Path(tmp) / "shim.c", Path(tmp) / "shim.so"
            src.write_text(SOURCE)
            subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(lib), str(src)], check=True)
            shutil.move(str(lib), out)       # whole or not at all, for a concurrent caller
    return str(out)
