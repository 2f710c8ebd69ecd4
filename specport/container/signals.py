"""Ctrl-C and SIGTERM while containers live: every throwaway container is removed on any exit.

While any throwaway lives, SIGTERM raises `Terminated` (a KeyboardInterrupt, so it unwinds like
Ctrl-C), and signals are held back while a container is being removed. Worker threads' containers
are registered here, so that the main thread can remove them when it is interrupted (guard()).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, Protocol


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while a container lived; unwinds like Ctrl-C so cleanup runs."""


class Live(Protocol):
    name: str

    def cancel(self) -> None:
        """Stop at the next step and remove the container now."""


# --- live containers --------------------------------------------------------------------------
# Every throwaway between create and removal, by name, so that the main thread can remove the
# containers of worker threads when it is interrupted (see guard()).
_live_boxes: dict[str, Live] = {}
_live_lock = threading.Lock()


def remove_live() -> None:
    """Remove every live throwaway of this process now; their running steps end with errors."""
    with _live_lock:
        boxes = list(_live_boxes.values())
    for box in boxes:
        box.cancel()  # a worker between create and its next step stops there


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Wrap work that runs throwaways in worker threads (main thread, inside the pool's `with`).

    Signals reach only the main thread, and a thread pool's exit waits for its workers: without
    this, Ctrl-C would wait for every running step to finish. Inside guard(), SIGTERM unwinds
    like Ctrl-C, and any exception first removes all live containers, which ends the workers'
    steps at once:

        with ThreadPoolExecutor(jobs) as pool, signals.guard():
            ...
    """
    install_handlers()
    try:
        yield
    except BaseException:
        with SignalsHeld():
            remove_live()
        raise
    finally:
        restore_handlers()


def register(box: Live) -> None:
    with _live_lock:
        _live_boxes[box.name] = box


def unregister(box: Live) -> None:
    with _live_lock:
        _live_boxes.pop(box.name, None)


# --- signals -----------------------------------------------------------------------------------
# Handlers are process-wide; count the live throwaways so nested ones install them once.
_live = 0
_saved_term: Any = None


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"signal {signum}")


def install_handlers() -> None:
    global _live, _saved_term
    if threading.current_thread() is not threading.main_thread():
        return  # signals are delivered to the main thread only; nothing to install
    if _live == 0:
        _saved_term = signal.signal(signal.SIGTERM, _raise_terminated)
    _live += 1


def restore_handlers() -> None:
    global _live
    if threading.current_thread() is not threading.main_thread() or _live == 0:
        return
    _live -= 1
    if _live == 0:
        signal.signal(signal.SIGTERM, _saved_term if _saved_term is not None else signal.SIG_DFL)


class SignalsHeld:
    """Hold SIGINT/SIGTERM back during cleanup; re-deliver them afterwards (as an exception)."""

    def __init__(self) -> None:
        self.caught: list[int] = []
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> SignalsHeld:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.caught.append(signum)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
