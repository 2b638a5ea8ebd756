"""``kill_trace``: what a failed container's assertion says about the SIGKILLs sent meanwhile."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import kill_trace

# signal_generate lines in the format tracefs writes them (the first as it recorded a kill here; a dash
# inside a sender's name, as containerd-shim has)
TRACE = """\
# tracer: nop
            bash-16875   [001] d..1. 27662.335928: signal_generate: sig=9 errno=0 code=0 comm=sleep pid=16881 grp=1 res=1
 containerd-shim-8182    [000] d..1. 27663.000001: signal_generate: sig=9 errno=0 code=0 comm=bash pid=8202 grp=1 res=0
            bash-8202    [000] d..1. 27663.100000: signal_generate: sig=9 errno=0 code=128 comm=sleep pid=8232 grp=1 res=0
          python-4242    [001] d..1. 27690.500000: signal_generate: sig=9 errno=0 code=0 comm=pip pid=4300 grp=1 res=0
          python-4243    [000] d..1. 27700.000000: signal_generate: sig=15 errno=0 code=0 comm=containerd-shim pid=1783 grp=1 res=0
          <idle>-0       [001] d..1. 27700.500000: signal_generate: sig=1 errno=0 code=128 comm=containerd-shim pid=1783 grp=1 res=0
"""


def test_parse_names_each_process_sent_kill_in_the_window():
    assert kill_trace.parse(TRACE, 27662, 27664) == ["t=27662.3 bash(16875) -> sleep(16881)",
                                                      "t=27663.0 containerd-shim(8182) -> bash(8202)"]
    # the kernel's own kills (a namespace ending, code 128) and those outside the window are left out
    assert kill_trace.parse(TRACE, 27663.05, 27690) == []
    assert kill_trace.parse(TRACE, 27690, 27691) == ["t=27690.5 python(4242) -> pip(4300)"]
    # other signals reach the record only when sent to a shim (the filter's doing); the kernel's too
    assert kill_trace.parse(TRACE, 27699, 27701) == ["t=27700.0 python(4243) -> containerd-shim(1783) SIGTERM",
                                                      "t=27700.5 <idle>(0) -> containerd-shim(1783) SIGHUP"]


def test_a_kill_sent_here_is_named_or_the_reason_there_is_no_record():
    recording = kill_trace.start()
    start = time.monotonic()
    victim = subprocess.Popen(["sleep", "60"])
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(10) == -signal.SIGKILL
    said = kill_trace.kills(start, time.monotonic() + 1)
    if recording:       # root with tracefs: this test's own kill is in the record (named by pid: the
        # kill can land before exec renames the child from python to sleep)
        assert re.search(rf"-> \S+\({victim.pid}\)", said), said
    else:
        assert said.startswith("not recorded ("), said


def test_a_container_lost_to_the_runtime_is_told_from_one_killed_otherwise():
    state = '{"Status":"removing","OOMKilled":false,"Dead":true,"ExitCode":137}'
    runc = "t=62715.1 runc(1898) -> bash(1804)"
    assert kill_trace.lost_to_the_runtime(137, state, runc)
    assert not kill_trace.lost_to_the_runtime(137, state.replace("false", "true"), runc)       # out of memory
    assert not kill_trace.lost_to_the_runtime(137, state, runc + "\nt=62715.0 python(77) -> containerd-shim(1783) SIGTERM")
    assert not kill_trace.lost_to_the_runtime(137, state, "t=62715.1 python(4242) -> bash(1804)")  # someone else's kill
    assert not kill_trace.lost_to_the_runtime(137, state, "none")
    assert not kill_trace.lost_to_the_runtime(137, state, "not recorded (the signal tracepoint is off)")
    assert not kill_trace.lost_to_the_runtime(1, state, runc)                                      # failed on its own
