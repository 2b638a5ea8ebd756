"""Who sent a SIGKILL: the kernel's ``signal/signal_generate`` tracepoint, read after a container
died of one.

In two of five full runs on one machine a Gradescope set-up container exited with 137 while pip
installed (no out-of-memory kill in the kernel's log, no kill in dockerd's) and never when run
alone. A container's first process leads its own process group, so any process on the machine
that signals a stale group id can end it. Where the suite runs as root with tracefs, ``start``
records every SIGKILL system-wide, and a failed container's assertion lists those sent during its
life, sender and target: the next failure names its cause. Nothing here decides a verdict; it
decides only whether a container the runtime lost runs once more (`lost_to_the_runtime`).

The third failure named runc as the sender: ``runc delete --force``, which containerd
runs after a container's shim has gone ("shim disconnected" in dockerd's log). The shim had
received no SIGKILL, so the record now also keeps any other signal sent to a shim (Go's own
preemption and child signals aside).
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

TRACEFS = Path("/sys/kernel/tracing")
EVENT = TRACEFS / "events" / "signal" / "signal_generate"
LINE = re.compile(r"\s*(?P<sender>.+?)-(?P<spid>\d+)\s+\[\d+\]\s+\S+\s+(?P<t>[\d.]+): signal_generate: "
                  r"sig=(?P<sig>\d+) errno=-?\d+ code=(?P<code>-?\d+) comm=(?P<target>.*) pid=(?P<tpid>\d+) grp=\d res=\d")
# every SIGKILL, and any signal to a container's shim but Go's own (SIGURG preempts, SIGCHLD, SIGWINCH)
FILTER = 'sig == 9 || (comm ~ "containerd-shim*" && sig != 23 && sig != 17 && sig != 28)'


def start() -> bool:
    """Record SIGKILLs from now on, stamped with CLOCK_MONOTONIC (``time.monotonic``'s clock);
    whether this process could turn that on (root and tracefs)."""
    try:
        if not EVENT.exists():
            subprocess.run(["mount", "-t", "tracefs", "nodev", str(TRACEFS)], capture_output=True, check=False)
        if "[mono]" not in (TRACEFS / "trace_clock").read_text():     # a new clock empties the record
            (TRACEFS / "trace_clock").write_text("mono\n")
        (EVENT / "filter").write_text(FILTER + "\n")
        (EVENT / "enable").write_text("1\n")
        (TRACEFS / "tracing_on").write_text("1\n")
        return True
    except OSError:
        return False


def _name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def parse(text: str, since: float, until: float) -> list[str]:
    """The SIGKILLs a process sent (kill or killpg) between two ``time.monotonic()`` readings, and
    other signals to a shim (named), one line each. The kernel's own SIGKILLs (code SI_KERNEL: a
    dying namespace's or thread group's, and the out-of-memory killer's, which the kernel's log and
    the container's ``OOMKilled`` report) are left out."""
    found = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m and since <= float(m["t"]) <= until and (m["code"] != "128" or m["sig"] != "9"):   # 128: SI_KERNEL
            sig = "" if m["sig"] == "9" else f" {_name(int(m['sig']))}"
            found.append(f"t={float(m['t']):.1f} {m['sender']}({m['spid']}) -> {m['target']}({m['tpid']}){sig}")
    return found


def kills(since: float, until: float) -> str:
    """What the trace holds for that window, or why there is nothing to read."""
    try:
        if (EVENT / "enable").read_text().strip() != "1":
            return "not recorded (the signal tracepoint is off)"
        found = parse((TRACEFS / "trace").read_text(errors="replace"), since, until)
    except OSError as e:
        return f"not recorded ({e.strerror})"
    return "\n".join(found) or "none"


def lost_to_the_runtime(returncode: int, state: str, kills: str) -> bool:
    """A container that died of a SIGKILL from runc alone, not out of memory: ``runc delete
    --force`` cleaning up after the container's shim went away."""
    lines = kills.splitlines()
    return (returncode == 137 and '"OOMKilled":false' in state.replace(" ", "") and bool(lines)
            and all(re.match(r"t=\S+ runc\(\d+\) -> ", line) for line in lines))
