"""Identical computations asked for at the same time run once, and every asker gets that one result."""

import threading


class _Flight:
    def __init__(self):
        self.done = threading.Event()
        self.result = self.error = None


class SharedWork:
    """``run(key, compute)``: the first caller with ``key`` computes; callers with the same key who
    arrive while it runs wait and get its result (or its exception).  Nothing is kept afterwards."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = {}

    def run(self, key, compute):
        with self._lock:
            flight = self._running.get(key)
            leader = flight is None
            if leader:
                flight = self._running[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.result
        try:
            flight.result = compute()
            return flight.result
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                del self._running[key]
            flight.done.set()
