"""Background jobs: the library's job kinds (``xpiler.jobs.KINDS``) run in worker processes.

Never on the server's event loop: each worker is a persistent process that runs one job at
a time and streams its stages (and any partial result) back over a pipe the event loop
watches; whatever a job compiles and runs, the library runs in sandboxed children of the
worker. The manager keeps a bounded queue, runs up to ``concurrency`` jobs at once, times
each out after its own timeout, and cancels on request (from the progress UI or the
``xpiler.cancelJob`` command) by terminating the worker -- which kills the compilers and
emulated programs it started -- and starting a fresh one. A job that crashes its worker
fails alone; the server goes on. A finished job lets go of its parameters (whole document
texts) at once and is forgotten after ``keep_finished`` newer ones have finished.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing as mp
import os
import signal
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

log = logging.getLogger("xpiler_lsp")
_ctx = mp.get_context("spawn")  # no fork of a multi-threaded asyncio process
ACTIVE = ("queued", "running")


def _ignore(*args) -> None:
    pass


def _worker_main(conn) -> None:
    """A worker process: receive ("run", id, kind, params), send progress and the result."""
    from xpiler.runtime import sandbox

    def on_term(signum, frame):  # cancelled: take the compilers and kernels down too
        sandbox.kill_active()
        os._exit(1)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import xpiler.jobs as jobs

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        _, job_id, kind, params = msg

        def progress(stage: str, message: str, percent: Optional[int] = None, partial: Optional[dict] = None,
                     _id=job_id) -> None:
            conn.send(("progress", _id, stage, message, percent, partial))

        try:
            result = jobs.run(kind, progress=progress, **params)
            conn.send(("done", job_id, result))
        except Exception as e:  # noqa: BLE001 - reported to the user, the worker lives on
            from xpiler.diagnostics import XpilerError

            text = str(e) if isinstance(e, XpilerError) else f"{type(e).__name__}: {e}"
            conn.send(("error", job_id, text, "" if isinstance(e, XpilerError) else traceback.format_exc()))


@dataclass
class Stage:
    """One progress event of a job, as it happened."""

    stage: str  # parse, pass, check, compile, run, ...
    message: str  # "pass 2/7 detensorize", "check compute: saxpy"
    percent: Optional[int] = None
    at: float = 0.0  # seconds since the job started


@dataclass
class Job:
    id: int
    name: str  # the kind: check, compile, translate, recheck
    params: dict  # dropped when the job finishes (it holds document texts)
    title: str
    on_progress: Callable[["Job", Stage], None]
    on_done: Callable[["Job", str, Any], None]  # (job, outcome, payload): done/error/cancelled/timeout
    token: Optional[str] = None
    timeout: Optional[float] = None  # seconds; None: the manager's
    state: str = "queued"  # queued, running, done, failed, cancelled, timeout
    started: float = 0.0
    finished: float = 0.0
    worker: Optional["Worker"] = None
    timer: Optional[asyncio.TimerHandle] = None
    meta: dict = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)  # the last MAX_STAGES
    partial: Any = None  # the latest partial result the job sent
    error: str = ""  # a failure's message
    MAX_STAGES = 64

    @property
    def stage(self) -> Optional[str]:
        return self.stages[-1].message if self.stages else None

    def describe(self) -> dict:
        """For ``xpiler.listJobs``."""
        return {"jobId": self.id, "job": self.name, "title": self.title, "state": self.state, "token": self.token,
                "stage": self.stage, "timeout": self.timeout, "partial": self.partial is not None,
                "seconds": round((self.finished or time.monotonic()) - self.started, 2) if self.started else 0.0,
                "pid": self.worker.proc.pid if self.worker is not None and self.state == "running" else None}


class Worker:
    def __init__(self, manager: "JobManager"):
        self.manager = manager
        self.conn, child = _ctx.Pipe()
        self.proc = _ctx.Process(target=_worker_main, args=(child,), daemon=True, name="xpiler-job-worker")
        self.proc.start()
        child.close()
        self.job: Optional[Job] = None
        manager.loop.add_reader(self.conn.fileno(), self._readable)

    def run(self, job: Job) -> None:
        self.job = job
        job.worker = self
        self.conn.send(("run", job.id, job.name, job.params))

    def _readable(self) -> None:
        try:
            while self.conn.poll():
                self.manager._message(self, self.conn.recv())
        except (EOFError, OSError):
            self.manager._worker_died(self)

    def kill(self) -> None:
        try:
            self.manager.loop.remove_reader(self.conn.fileno())
        except (ValueError, OSError):
            pass
        if self.proc.is_alive():
            self.proc.terminate()  # SIGTERM: the worker kills its children, then exits
            self.proc.join(2)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(2)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(("stop",))
        except OSError:
            pass
        self.kill()


class JobManager:
    def __init__(self, loop: asyncio.AbstractEventLoop, concurrency: int = 2, queue_limit: int = 16,
                 timeout: float = 120.0, keep_finished: int = 32):
        self.loop = loop
        self.configure(concurrency, queue_limit, timeout)
        self.keep_finished = keep_finished
        self.idle: list[Worker] = []
        self.busy: set[Worker] = set()
        self.queue: list[Job] = []
        self.jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)

    # -------------------------------------------------------------- submitting
    def configure(self, concurrency: int, queue_limit: int, timeout: float) -> None:
        """Apply the job settings; running jobs keep their timers, new ones use these."""
        self.concurrency = max(1, concurrency)
        self.queue_limit = queue_limit
        self.timeout = timeout

    def submit(self, name: str, params: dict, title: str, on_progress, on_done, token: Optional[str] = None,
               timeout: Optional[float] = None) -> Job:
        """Queue job kind ``name`` with ``params``; ``timeout`` (seconds) overrides the
        manager's. Raises RuntimeError when the queue is full."""
        active = self.active()
        if len(self.queue) >= self.queue_limit:
            raise RuntimeError(f"{len(active)} xpiler jobs are already waiting or running (limit "
                               f"{self.queue_limit} queued): wait for them or cancel some (xpiler.cancelJob)")
        job = Job(next(self._ids), name, params, title, on_progress, on_done, token, timeout)
        self.jobs[job.id] = job
        self.queue.append(job)
        self._pump()
        return job

    def _pump(self) -> None:
        while self.queue and len(self.busy) < self.concurrency:
            job = self.queue.pop(0)
            worker = self.idle.pop() if self.idle else Worker(self)
            self.busy.add(worker)
            job.state = "running"
            job.started = time.monotonic()
            job.timer = self.loop.call_later(job.timeout or self.timeout, self._timed_out, job)
            worker.run(job)

    # -------------------------------------------------------------- from workers
    def _message(self, worker: Worker, msg) -> None:
        kind, job_id = msg[0], msg[1]
        job = self.jobs.get(job_id)
        if job is None or job.state != "running":
            return
        if kind == "progress":
            stage = Stage(msg[2], msg[3], msg[4], round(time.monotonic() - job.started, 2))
            job.stages = (job.stages + [stage])[-Job.MAX_STAGES:]
            if msg[5] is not None:
                job.partial = msg[5]
            try:
                job.on_progress(job, stage)
            except Exception:  # noqa: BLE001
                log.exception("progress of job %s failed", job.id)
            return
        self._release(worker, job)
        if kind == "done":
            self._finish(job, "done", "done", msg[2])
        else:
            job.error = msg[2]
            self._finish(job, "failed", "error", msg[2])

    def _worker_died(self, worker: Worker) -> None:
        job = worker.job
        self.busy.discard(worker)
        worker.kill()
        if job is not None and job.state == "running":
            job.error = (f"the {job.name} job crashed its worker process (exit code {worker.proc.exitcode}); "
                         f"the server is fine, run it again")
            self._finish(job, "failed", "error", job.error)
        self._pump()

    def _release(self, worker: Worker, job: Job) -> None:
        if job.timer:
            job.timer.cancel()
        worker.job = None
        self.busy.discard(worker)
        self.idle.append(worker)
        self.loop.call_soon(self._pump)

    def _finish(self, job: Job, state: str, outcome: str, payload) -> None:
        """The end of a job, whatever it was. A stopped job's payload is what it got to:
        ``{"stages": [...], "partial": ...}``."""
        if job.timer:
            job.timer.cancel()
        job.state = state
        job.finished = time.monotonic()
        job.worker = None
        job.params = {}  # the document text and the rest: not kept past the job
        if outcome in ("cancelled", "timeout"):
            payload = {"stages": [s.message for s in job.stages], "partial": job.partial}
        try:
            job.on_done(job, outcome, payload)
        except Exception:  # noqa: BLE001 - the caller's bug: the job is over all the same
            log.exception("the end of job %s failed", job.id)
        finally:  # the callbacks hold what the caller needed until now (document texts)
            job.on_done, job.on_progress = _ignore, _ignore
            self._prune()

    def _prune(self) -> None:
        done = [j for j in self.jobs.values() if j.state not in ACTIVE]
        for j in sorted(done, key=lambda j: j.finished)[:max(0, len(done) - self.keep_finished)]:
            del self.jobs[j.id]

    # -------------------------------------------------------------- cancelling
    def cancel(self, job: Job, reason: str = "cancelled") -> bool:
        if job.state == "queued":
            self.queue.remove(job)
            self._finish(job, reason, reason, None)
            return True
        if job.state != "running":
            return False
        worker = job.worker
        if worker is not None:
            self.busy.discard(worker)
            worker.job = None
            worker.kill()
        self._finish(job, reason, reason, None)
        self._pump()
        return True

    def _timed_out(self, job: Job) -> None:
        if job.state == "running":
            self.cancel(job, "timeout")

    def by_token(self, token) -> Optional[Job]:
        return next((j for j in self.jobs.values() if j.token == token and j.state in ACTIVE), None)

    def active(self) -> list[Job]:
        return [j for j in self.jobs.values() if j.state in ACTIVE]

    def shutdown(self) -> None:
        for j in self.active():
            self.cancel(j)
        for w in self.idle + list(self.busy):
            w.stop()
        self.idle.clear()
        self.busy.clear()
