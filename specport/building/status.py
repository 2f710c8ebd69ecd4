"""What a set build is doing now: one line per running pair with its phase and elapsed time,
and the waves done and to go.

On a terminal this is a rich Live display; elsewhere (CI logs, -v) each change is one plain
timestamped line. Phases come from specport's own steps (set by the runner) and from the build
log as it is written: rpmbuild prints `Executing(%build)`, debbuild `Executing (%build)`, and
the post-step and lintian commands appear as `$ ...` lines.
"""

from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from specport import log

# log line -> phase; the last match in new log text wins
_LOG_PHASES = [
    (re.compile(r"^Executing ?\((%\w+)\)", re.MULTILINE), None),
    (re.compile(r"^\$ .*debfix\.sh unpack", re.MULTILINE), "post-step"),
    # lintian run, or its verdict on the same files taken from the cache (lintverdict.py)
    (re.compile(r"^(\$ .*\blintian\b|# .*\blintian\b.*: the verdict on)", re.MULTILINE), "lintian"),
]
TICK = 0.5  # seconds between looks at the logs


def phases_in(text: str) -> list[str]:
    """The phases `text` (new build log output) shows, in order."""
    found = [(m.start(), name or m.group(1)) for rx, name in _LOG_PHASES for m in rx.finditer(text)]
    return [phase for _, phase in sorted(found)]


def phase_in(text: str) -> str | None:
    """The last phase `text` shows, or None."""
    found = phases_in(text)
    return found[-1] if found else None


class _Above(io.StringIO):
    """A text file whose lines the live display's console prints above the display (rich's own
    FileProxy is unwrapped by other consoles, whose output would then tear the display)."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self._console = console
        self._buffer = ""

    def write(self, text: str) -> int:
        *lines, self._buffer = (self._buffer + text).split("\n")
        for line in lines:
            self._console.print(line, markup=False, highlight=False)
        return len(text)

    def isatty(self) -> bool:
        return False


@dataclass
class _Running:
    wave: int
    phase: str
    started: float
    log_path: Path | None = None
    offset: int = 0


@dataclass
class _State:
    waves: dict[int, int] = field(default_factory=dict)  # wave -> pairs not finished
    running: dict[str, _Running] = field(default_factory=dict)


class Status:
    """Thread-safe; `with Status(...)` shows it, the runner calls start/phase/finish."""

    def __init__(self, waves: list[int], *, live: bool | None = None) -> None:
        """`waves`: the wave of each pair of the run."""
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._state = _State()
        for w in waves:
            self._state.waves[w] = self._state.waves.get(w, 0) + 1
        self.total_waves = len(self._state.waves)
        if live is None:
            live = log.VERBOSITY == 1 and log.err_console.is_terminal
        self.live = live
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._display: Live | None = None
        self._saved_console: Console | None = None

    # the runner's side -------------------------------------------------------------------------
    def start(self, label: str, wave: int, log_path: Path | None = None) -> None:
        with self._lock:
            self._state.running[label] = _Running(wave, "starting", time.monotonic(), log_path)
        self._say(label, "starting", wave)

    def runner_phase(self, label: str, phase: str) -> None:
        """A phase the runner enters (not one its log shows): the log's phases so far come
        first, also when the log is about to move (publish moves it to the output)."""
        self._read_logs(only=label)
        self.phase(label, phase)

    def phase(self, label: str, phase: str) -> None:
        with self._lock:
            run = self._state.running.get(label)
            if run is None or run.phase == phase:
                return
            run.phase = phase
        self._say(label, phase)

    def finish(self, label: str, wave: int, outcome: str) -> None:
        self._read_logs(only=label)  # the phases since the last tick, before the result
        with self._lock:
            run = self._state.running.pop(label, None)
            left = self._state.waves.get(wave, 0) - 1
            self._state.waves[wave] = left
        took = f" ({time.monotonic() - run.started:.0f} s)" if run else ""
        self._plain(f"{label}: {outcome}{took}", always=True)
        if left == 0:
            self._plain(f"wave {wave} of {self.total_waves} done", always=True)

    def waves_done(self) -> int:
        with self._lock:
            return sum(1 for left in self._state.waves.values() if left <= 0)

    # display -----------------------------------------------------------------------------------
    def __enter__(self) -> Status:
        if self.live:
            self._saved_console = log.err_console
            self._display = Live(
                self._table(), console=self._saved_console, refresh_per_second=2, transient=True
            )
            self._display.start()
            # other messages print above the display; a console that is no terminal also keeps
            # the runner from opening a second live display of its own
            log.err_console = Console(
                file=_Above(self._saved_console),
                highlight=False,
                soft_wrap=True,
                no_color=True,
                force_terminal=False,
            )
        self._thread = threading.Thread(target=self._watch, name="specport-status", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._display is not None:
            self._display.stop()
        if self._saved_console is not None:
            log.err_console = self._saved_console

    def _watch(self) -> None:
        while not self._stop.wait(TICK):
            self.refresh()

    def refresh(self) -> None:
        """Read the new log output of the running pairs, redraw (the watcher's tick)."""
        self._read_logs()
        if self._display is not None:
            self._display.update(self._table(), refresh=True)

    def _read_logs(self, only: str | None = None) -> None:
        with self._lock:
            running = list(self._state.running.items())
        with self._read_lock:  # the watcher and finish() never read one log at the same time
            for label, run in running:
                if run.log_path is None or (only is not None and label != only):
                    continue
                try:
                    with run.log_path.open("rb") as f:
                        f.seek(run.offset)
                        data = f.read()
                except OSError:
                    continue
                # whole lines only: a line still being written is read at the next tick
                data = data[: data.rfind(b"\n") + 1]
                run.offset += len(data)
                # every phase, also those a tick went past: CI logs show each one
                for found in phases_in(data.decode("utf-8", "replace")):
                    self.phase(label, found)

    def _table(self) -> Table:
        with self._lock:
            running = sorted(self._state.running.items(), key=lambda kv: (kv[1].wave, kv[0]))
            done = sum(1 for left in self._state.waves.values() if left <= 0)
        now = time.monotonic()
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column("pair")
        table.add_column("wave", style="dim")
        table.add_column("phase", style="cyan")
        table.add_column("time", justify="right")
        for label, run in running:
            table.add_row(label, f"wave {run.wave}", run.phase, f"{now - run.started:.0f} s")
        table.caption = f"waves: {done} done, {self.total_waves - done} to go"
        table.caption_justify = "left"
        return table

    def _say(self, label: str, what: str, wave: int | None = None) -> None:
        where = f" (wave {wave}/{self.total_waves})" if wave else ""
        self._plain(f"{label}: {what}{where}")

    def _plain(self, message: str, *, always: bool = False) -> None:
        """One timestamped line; on a terminal only results (`always`), above the display."""
        if (self.live and not always) or log.VERBOSITY < 1:
            return
        stamp = time.strftime("%H:%M:%S")
        log.err_console.print(f"{stamp} {message}", markup=False, highlight=False)
