"""Long work the page starts (training a network, downloading MNIST), run in a background thread.

A ``Job`` holds a snapshot of its progress (a JSON-ready dict) and a version number that goes
up with every change, so any number of watchers (the page's event streams) can wait for the
next change without polling.  ``stop()`` asks the work to end; training ends through the
library's own ``StopTraining``, raised from its progress callback.
"""

import itertools
import threading
import time

from ..errors import DigitnetError
from ..training import StopTraining

RUNNING, DONE, STOPPED, FAILED = "running", "done", "stopped", "failed"
_ids = itertools.count(1)


class Job:
    """Runs ``work(job)`` in a daemon thread; ``work`` reports through ``job.update(**fields)``."""

    def __init__(self, kind, work, **fields):
        self.id = f"{kind}-{next(_ids)}"
        self.kind = kind
        self._work = work
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self.version = 0
        self.state = {"id": self.id, "kind": kind, "state": RUNNING, "error": None, **fields}
        self._thread = threading.Thread(target=self._run, name=self.id, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        try:
            self._work(self)
        except StopTraining:
            self.update(state=STOPPED)
        except DigitnetError as error:
            self.update(state=FAILED, error=str(error))
        except Exception as error:  # noqa: BLE001 - reported to the page, not swallowed
            self.update(state=FAILED, error=f"{type(error).__name__}: {error}")
        else:
            self.update(state=STOPPED if self._stop.is_set() else DONE)

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
        """Ask the work to stop at its next check (``check_stop``)."""
        self._stop.set()

    def check_stop(self):
        """Called by the work: raise StopTraining if ``stop()`` was asked for."""
        if self._stop.is_set():
            raise StopTraining

    def join(self, timeout=None):
        self._thread.join(timeout)
