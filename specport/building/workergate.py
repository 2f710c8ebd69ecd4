"""The build workers' own count, which a run drains before it removes their staging directory.

A thread pool's exit joins only the threads it recorded, and Ctrl-C can land inside
`pool.submit()` after a worker thread started but before the pool recorded it: that worker would
outlive the run and find its staging directory gone. Each worker passes this gate instead; the
run closes it (no worker starts after that) and waits until the last one has left.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class WorkerGate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._closed = False

    @contextlib.contextmanager
    def passage(self) -> Iterator[bool]:
        """True inside while the gate was open when the worker came; False: it must not start."""
        with self._cond:
            if self._closed:
                admitted = False
            else:
                admitted = True
                self._active += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()

    def close_and_drain(self, while_waiting: Callable[[], None]) -> None:
        """Close the gate and wait for the workers inside, calling `while_waiting` between
        looks (a worker's container may be newer than the interrupt's first sweep)."""
        with self._cond:
            self._closed = True
        while True:
            with self._cond:
                if not self._active:
                    return
                self._cond.wait(0.2)
            while_waiting()
