"""Run a program in a child process with a wall-clock timeout, memory and CPU limits and its
own scratch directory. Generated code never runs in the caller's process: an infinite loop,
a crash or a memory blow-up in a kernel ends the child, and the caller gets a clear result.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

DEFAULT_TIMEOUT = 60.0  # seconds of wall-clock time
DEFAULT_MEMORY = 8 << 30  # bytes of address space
DEFAULT_CPU = 300  # seconds of CPU time
GRACE = 2.0  # seconds between the SIGTERM of a timeout and the SIGKILL (the emulation says how far it got)


@dataclass
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    cpu: int = DEFAULT_CPU


@dataclass
class RunResult:
    """What happened to the child."""

    returncode: Optional[int]  # None when it was killed for its timeout
    stdout: str
    stderr: str
    elapsed: float  # seconds
    timed_out: bool = False
    signal: Optional[str] = None  # "SIGSEGV"... when a signal ended it
    workdir: Optional[Path] = field(default=None)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def describe(self) -> str:
        """One line for the user: what went wrong."""
        if self.timed_out:  # the caller knows why (a heavy kernel, a loop): see runtime/run.py
            return f"did not finish within its {self.elapsed:.0f} s timeout"
        if self.signal == "SIGSEGV":
            return "crashed with a segmentation fault (an invalid memory access)"
        if self.signal in ("SIGKILL", "SIGXCPU"):
            return f"was killed ({self.signal}): it exceeded its memory or CPU limit"
        if self.signal:
            return f"was killed by {self.signal}"
        if self.returncode:
            return f"exited with status {self.returncode}"
        return "finished"


# Children running now: a worker that is cancelled kills them (they live in their own
# sessions, so killing the worker's process group would not reach them).
ACTIVE: set = set()


def kill_active() -> None:
    """Kill every child this process started and is still waiting for."""
    for proc in list(ACTIVE):
        _kill(proc)


def _limit(limits: Limits):
    def apply():  # runs in the child, before exec
        os.setsid()  # its own process group, so a timeout kills everything it started
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu, limits.cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run(cmd: Sequence[str], *, limits: Optional[Limits] = None, cwd: Optional[Path] = None,
        env: Optional[dict] = None, stdin: Optional[bytes] = None) -> RunResult:
    """Run ``cmd`` in a child process under ``limits``; never raises for the child's faults."""
    limits = limits or Limits()
    own_dir = cwd is None
    workdir = Path(tempfile.mkdtemp(prefix="xpiler-run-")) if own_dir else Path(cwd)
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(list(cmd), cwd=workdir, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_limit(limits))
    except OSError as e:
        return RunResult(127, "", f"cannot start {cmd[0]}: {e}", 0.0, False, None, workdir)
    ACTIVE.add(proc)
    try:
        out, err = proc.communicate(stdin, timeout=limits.timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        # SIGTERM first: an emulation writes how far it got (progress.txt) and, in a checked
        # run, its findings so far; whatever is still running after GRACE seconds is killed
        _signal(proc, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=GRACE)
        except subprocess.TimeoutExpired:
            _kill(proc)
            out, err = proc.communicate()
        _kill(proc)  # anything the child started that outlived it
        timed_out = True
    finally:
        ACTIVE.discard(proc)
    elapsed = time.monotonic() - t0
    rc = None if timed_out else proc.returncode
    sig = None
    if rc is not None and rc < 0:
        try:
            sig = signal.Signals(-rc).name
        except ValueError:
            sig = f"signal {-rc}"
    return RunResult(rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed, timed_out, sig,
                     workdir)


def _kill(proc: subprocess.Popen) -> None:
    _signal(proc, signal.SIGKILL)


def _signal(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
