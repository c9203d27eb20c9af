"""How a command line ends: its exit code and its one line for each way of being stopped."""

import errno
import io
import os

import pytest

from pipebench_pipeline.command_line import Terminated, run_command


def raising(error):
    def body():
        raise error

    return body


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (KeyboardInterrupt(), 130, "prog: interrupted\n"),
        (Terminated(), 143, "prog: terminated\n"),
        (OSError(errno.ENOSPC, "No space left on device"), 1, "prog: error: No space left on device\n"),
        (BrokenPipeError(), 0, ""),
    ],
)
def test_each_way_of_stopping_has_its_code_and_line(error, code, line):
    stopped = []
    err = io.StringIO()
    assert run_command("prog", raising(error), io.StringIO(), err, on_stop=lambda: stopped.append(True)) == code
    assert err.getvalue() == line
    assert stopped == ([True] if code in (130, 143) else [])


def test_a_body_that_finishes_returns_its_own_code():
    assert run_command("prog", lambda: 7, io.StringIO(), io.StringIO()) == 7


@pytest.mark.parametrize(
    "command", [["-m", "pipebench_pipeline", "run", "--records", "1000"], ["-m", "pipebench", "list"]]
)
def test_a_closed_standard_output_is_one_line_and_exit_1_not_silent_loss(command):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "standard output is closed" in done.stderr
