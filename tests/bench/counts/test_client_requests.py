"""Valgrind client requests: harmless outside valgrind, answered under it."""

import shutil
import subprocess
import sys

import pytest

from pipebench.counts.client_requests import ClientRequests, supported

pytestmark = pytest.mark.skipif(not supported(), reason="client requests are built for x86-64 only")


def under_callgrind(script, directory, *options):
    """Run ``script`` under callgrind, instrumentation off at the start; its dumps by label."""
    from pipebench.counts import callgrind
    from pipebench.processes import worker_environment

    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", *options, "--callgrind-out-file=out.%p", "--quiet"]
    command += [sys.executable, "-c", script]
    subprocess.run(command, cwd=directory, env=worker_environment(), check=True, capture_output=True)
    return {p.label: p for p in (callgrind.parse(f.read_text()) for f in directory.glob("out.*.*"))}


def test_outside_valgrind_a_request_is_a_no_op_answering_the_default():
    requests = ClientRequests()
    assert not requests.running_on_valgrind()
    requests.zero()
    requests.dump("calls=0")


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_under_callgrind_a_dump_lands_exactly_where_it_is_requested(tmp_path):
    script = (
        "from pipebench.counts.client_requests import ClientRequests\n"
        "r = ClientRequests(); assert r.running_on_valgrind()\n"
        "r.prepare('first', 'second', 'third')\n"
        "r.start_instrumentation(); r.zero()\n"
        "r.dump('first')\n"
        "r.dump('second')\n"
        "r.dump('third')\n"
        "r.stop_instrumentation()\n"
    )
    profiles = under_callgrind(script, tmp_path)
    assert set(profiles) == {"first", "second", "third"}
    # Between two dumps runs nothing but the request itself: a small, near-constant count
    # (the interpreter specializes the request's few lines of Python as they repeat).
    assert 0 < profiles["third"].instructions < 50_000
    assert abs(profiles["second"].instructions - profiles["third"].instructions) < 0.05 * profiles["third"].instructions


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_call_made_uncollected_fills_the_simulated_caches_and_counts_nothing(tmp_path):
    """What the counting worker's last warm-up call relies on: the cache simulation runs on, uncounted."""
    script = (
        "from pipebench.counts.client_requests import ClientRequests\n"
        "r = ClientRequests(); r.prepare('cold', 'warm')\n"
        "data = bytearray(4 << 20)\n"
        "def touch(): return sum(data[::64])\n"
        "r.start_instrumentation(); r.zero(); touch(); r.dump('cold')\n"
        "r.stop_instrumentation(); r.start_instrumentation()\n"
        "assert r.collect(False) and not r.collect(False)\n"
        "touch()\n"
        "assert not r.collect(True)\n"
        "r.zero(); touch(); r.dump('warm')\n"
        "r.stop_instrumentation()\n"
    )
    from pipebench.counts import cycles

    profiles = under_callgrind(script, tmp_path, "--cache-sim=yes", "--LL=16777216,16,64")
    _, cold = cycles.misses(profiles["cold"].totals)
    _, warm = cycles.misses(profiles["warm"].totals)
    # 4 MiB read a line at a time: 65,536 lines, each a last-level miss from empty caches;
    # after an uncollected pass over them, the 16 MiB last level holds them all.
    assert cold > 60_000
    assert warm < 1_000
    assert abs(profiles["warm"].instructions - profiles["cold"].instructions) < 0.01 * profiles["cold"].instructions
