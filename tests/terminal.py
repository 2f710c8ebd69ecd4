"""What a terminal gives a command the tests start: Ctrl-C with its default meaning.

A shell that runs a job in the background without job control (`.ci/run &`, nohup, some CI
runners) starts it with SIGINT ignored, and Python then never turns SIGINT into
KeyboardInterrupt, in its children neither. The tests that send SIGINT stand for a user's
Ctrl-C, so the command they start gets SIGINT's default back first. Not tests themselves.
"""

from __future__ import annotations

import signal


def sigint_default() -> None:
    """preexec_fn: SIGINT as a terminal's foreground job has it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
