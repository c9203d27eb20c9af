"""What every command line here does alike: its streams, SIGTERM, and how it ends when stopped.

:func:`run_command` wraps a command's body. Ctrl-C ends it with one line and exit code
130, SIGTERM (what a CI system sends to cancel a job) with 143; a reader that went away
(``| head``) ends it quietly, as a well-behaved filter does; output that cannot be written
(a full disk, a closed stream) with one line and exit code 1. ``pipebench`` uses it too.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TextIO


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _on_sigterm(handler):
    """Install a SIGTERM handler from the main thread (the only one that may); return the previous one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


class _ClosedOutput(io.StringIO):
    """Standard output that was closed before the command started: writing to it is an error."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed: nothing could be written")


def streams(out: TextIO | None, err: TextIO | None) -> tuple[TextIO, TextIO]:
    """The command's output and error streams: those given, else the process's.

    A closed standard output makes the first write fail (one line, exit 1), so that no
    output is lost without a word; a closed standard error is /dev/null.
    """
    out = out if out is not None else (sys.stdout or _ClosedOutput())
    err = err if err is not None else (sys.stderr or open(os.devnull, "w"))  # noqa: SIM115
    return out, err


def _silence(stream: TextIO) -> None:
    """Point a stream whose reader went away at /dev/null, so the exit-time flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # a stream with no descriptor needs nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def run_command(
    prog: str, body: Callable[[], int], out: TextIO, err: TextIO, on_stop: Callable[[], None] = lambda: None
) -> int:
    """Run ``body`` and return its exit code, or the code of how it was stopped.

    ``on_stop`` runs first when Ctrl-C or SIGTERM stops the command (to stop its workers).
    """
    previous = _on_sigterm(_terminate)
    try:
        return body()
    except Terminated:
        on_stop()
        err.write(f"{prog}: terminated\n")
        return 143
    except KeyboardInterrupt:
        on_stop()
        err.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:
        _silence(out)
        return 0
    except OSError as error:
        err.write(f"{prog}: error: {error.strerror or error}\n")
        return 1
    finally:
        _on_sigterm(previous)
