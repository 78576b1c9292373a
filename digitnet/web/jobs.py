"""Long work the page starts (training a network, downloading MNIST), each run in a child process.

A ``Job`` holds a snapshot of its progress (a JSON-ready dict) and a version number that goes
up with every change, so any number of watchers (the page's event streams) can wait for the
next change without polling.

The work itself runs in its own process, started with "spawn" (never a fork of the threaded
server) at a lower priority, because:

- the server's request threads keep the interpreter lock: neither NumPy's Python-level loops
  nor compiled kernels in the work can make ``/api/predict`` wait for them;
- ``stop()`` takes effect at once, whatever the work is doing (inside a compiled epoch, or
  waiting on a mirror that has stopped sending): the process is ended (SIGTERM, then SIGKILL
  after ``END_GRACE`` seconds);
- a crash in the work cannot take the server down.

``work(*args, report)`` must be a module-level function (it is pickled to the child).  It
reports with ``report(**fields)``, or ``report.progress(**fields)`` for frequent reports (sent at
most once per ``PROGRESS_INTERVAL``); the fields may hold any picklable object, which the
parent's ``receive(job, fields)`` turns into the snapshot (by default the fields are the update).
``finish(job)``, if given, runs in the parent once the child has ended, however it ended, before
the final state is published.
"""

import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time

from ..errors import DigitnetError

RUNNING, DONE, STOPPED, FAILED = "running", "done", "stopped", "failed"
POLL_INTERVAL = 0.05  # seconds: how often the parent looks for a stop request between reports
END_GRACE = 0.2  # seconds a stopped child gets to end on SIGTERM before it is killed
PROGRESS_INTERVAL = 0.05  # seconds: at most 20 progress reports a second reach the parent
PARENT_CHECK_INTERVAL = 0.5  # seconds between the child's checks that the server is still there
NICENESS = 10  # the work's priority below the server's (Unix); requests come first
_ids = itertools.count(1)


class Job:
    """``work(*args, report)`` run in a child process, watched by a thread of the server."""

    def __init__(self, kind, work, args=(), *, receive=None, finish=None, **fields):
        self.id = f"{kind}-{next(_ids)}"
        self.kind = kind
        self._work, self._args = work, args
        self._receive = receive or (lambda job, update: job.update(**update))
        self._finish = finish
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self.version = 0
        self.state = {"id": self.id, "kind": kind, "state": RUNNING, "error": None, **fields}
        self._thread = threading.Thread(target=self._watch, name=self.id, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _watch(self):
        """Start the child, pass its reports on, and end it when it is done or asked to stop."""
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(self._work, self._args, sender), name=self.id, daemon=True)
        ending = (FAILED, "the work could not be started")
        try:
            process.start()
            sender.close()
            ending = self._relay(receiver, process)
        except Exception as error:  # noqa: BLE001 - a failed job is reported to the page, never raised
            ending = (FAILED, f"{type(error).__name__}: {error}")
        finally:
            _end(process, at_once=self._stop.is_set())
            receiver.close()
        try:
            if self._finish is not None:
                self._finish(self)
        except Exception as error:  # noqa: BLE001 - as above
            ending = (FAILED, f"{type(error).__name__}: {error}")
        self.update(state=ending[0], error=ending[1])

    def _relay(self, receiver, process):
        """Pass reports to ``receive`` until the child says it is done or failed, dies, or is stopped."""
        while not self._stop.is_set():
            if not receiver.poll(POLL_INTERVAL):
                continue
            try:
                kind, payload = receiver.recv()
            except EOFError:
                process.join(END_GRACE)
                return FAILED, f"the {self.kind} process ended unexpectedly (exit code {process.exitcode})"
            if kind == "report":
                self._receive(self, payload)
            elif kind == "done":
                return DONE, None
            else:
                return FAILED, payload
        return STOPPED, None

    @property
    def running(self):
        return self.state["state"] == RUNNING

    def update(self, **fields):
        """Change the snapshot and wake every watcher."""
        with self._changed:
            self.state = {**self.state, **fields}
            self.version += 1
            self._changed.notify_all()

    def snapshot(self):
        """(version, a copy of the state) taken together."""
        with self._changed:
            return self.version, dict(self.state)

    def wait_for_change(self, version, timeout):
        """Block until the version passes ``version`` or ``timeout`` seconds pass; return ``snapshot()``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.version <= version:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self.version, dict(self.state)

    def stop(self):
        """End the work: within POLL_INTERVAL + END_GRACE seconds the child is gone and the job "stopped"."""
        self._stop.set()

    def join(self, timeout=None):
        self._thread.join(timeout)


def _end(process, at_once):
    """Make sure the child is gone: unless ``at_once``, give it END_GRACE seconds to exit by itself, then
    SIGTERM (its ``finally`` blocks run), then SIGKILL after END_GRACE more."""
    if process.pid is None:
        return
    if not at_once:
        process.join(END_GRACE)
    if process.is_alive():
        process.terminate()
        process.join(END_GRACE)
    if process.is_alive():
        process.kill()
    process.join()
    process.close()


class _Reporter:
    """The child's side of the pipe: ``report(**fields)`` now, ``report.progress(**fields)`` rate-limited
    (a progress report held back is sent by ``flush``, so the last one always arrives)."""

    def __init__(self, sender):
        self._sender = sender
        self._last_progress = 0.0
        self._held = None

    def __call__(self, **fields):
        self._sender.send(("report", fields))

    def progress(self, **fields):
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress, self._held = now, None
            self(**fields)
        else:
            self._held = fields

    def flush(self):
        if self._held is not None:
            self(**self._held)
            self._held = None


def _end_with_parent(parent):
    """In the child: end the work (as a stop would) if the server process is gone, however it went."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_INTERVAL)
    os.kill(os.getpid(), signal.SIGTERM)


def _child(work, args, sender):
    """The child process: run the work, then say "done" or "failed" with a one-line reason."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is the server's to handle
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # SystemExit: temporary files get removed
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True).start()
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    report = _Reporter(sender)
    try:
        work(*args, report=report)
        ending = ("done", None)
    except DigitnetError as error:
        ending = ("failed", str(error))
    except Exception as error:  # noqa: BLE001 - reported to the page as one line
        ending = ("failed", f"{type(error).__name__}: {error}")
    report.flush()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the work is over: nothing left to clean up
    sender.send(ending)
