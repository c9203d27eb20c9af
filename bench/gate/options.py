"""The gate's options, defaults and checks, defined once for ``pipebench compare`` and the pytest plugin.

:func:`add_gate_options` declares the options through any ``add(name, **kwargs)`` (an
argparse parser's ``add_argument`` or a pytest group's ``addoption``), with a prefix for
pytest (``--pipebench-fail-on``). :func:`thresholds_from` turns ``--fail-on`` values into
fractions; :func:`check_comparable` refuses two runs whose numbers cannot be compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pipebench.errors import UsageError
from pipebench.metrics import DEFAULT_THRESHOLDS, ESTIMATED_CYCLES, FAMILIES, FAMILY_NAMES, METRICS

if TYPE_CHECKING:  # the command line and pytest's start-up import this module: keep it light
    from pipebench.gate.data import GateInput

FORMATS = ("table", "md", "json", "github-action-benchmark")
"""What ``pipebench compare`` can print (:data:`pipebench.gate.render.RENDERERS` renders each)."""

REFRESH = "re-measure it from a clean checkout with this pipebench (`pipebench run ... --out DIR`)"
PYTEST_REFRESH = (
    "re-count it from a clean checkout with this pipebench "
    "(`pytest --benchmark-only --pipebench-instructions --pipebench-out DIR`)"
)


def _refresh(side: GateInput) -> str:
    """How to re-measure ``side``: as it was measured, by ``pipebench run`` or by a counted pytest session."""
    return PYTEST_REFRESH if "pytest" in side.metadata else REFRESH


def add_gate_options(add: Callable[..., Any], prefix: str = "", *, session: bool = False) -> None:
    """Declare the gate's options with ``add``; their destinations are ``<prefix>fail_on`` and so on.

    ``session``: for a pytest session, which times and nothing else, and has no paired ratio
    to a reference: ``--metric`` and ``--absolute-time`` would have nothing to choose, so
    they are not declared (pytest then refuses them as unknown options).
    """
    defaults = ", ".join(f"{family}:{value:.0%}" for family, value in DEFAULT_THRESHOLDS.items())
    add(
        f"--{prefix}fail-on",
        action="append",
        default=[],
        metavar="METRIC:PCT",
        help=f"regression threshold of a metric family; repeatable (defaults {defaults})".replace("%", "%%"),
    )
    if not session:
        add(f"--{prefix}metric", action="append", default=[], choices=FAMILY_NAMES, help="compare only these families")
    add(
        f"--{prefix}strict",
        action="store_true",
        help="also fail when a regression cannot be ruled out (inconclusive) or a baseline benchmark is missing",
    )
    if not session:
        add(
            f"--{prefix}absolute-time",
            action="store_true",
            help="compare absolute times of pipebench runs, not paired ratios to the reference (same machine only)",
        )


def thresholds_from(specs: Sequence[str]) -> dict[str, float]:
    """``["time:5%", "memory:1%"]`` on top of the defaults, as fractions.

    Raises:
        UsageError: an unknown family, or an amount that is not a finite, non-negative number.
    """
    thresholds = dict(DEFAULT_THRESHOLDS)
    for spec in specs:
        family, _, amount = spec.partition(":")
        if family not in thresholds or not amount:
            raise UsageError(f"--fail-on {spec}: expected METRIC:PERCENT with METRIC one of {', '.join(thresholds)}")
        thresholds[family] = parse_percent(amount, f"--fail-on {spec}")
    return thresholds


def parse_percent(amount: str, option: str) -> float:
    """``"5%"`` as 0.05.

    The ``%`` is required: ``memory:1`` read as a fraction meant 100%, and as a percentage
    ``time:0.05`` would mean a twentieth of one, so a bare number is refused rather than guessed.

    Raises:
        UsageError: no ``%``, or not a finite, non-negative number; the message starts with ``option``.
    """
    if not amount.strip().endswith("%"):
        raise UsageError(f"{option}: give a percentage with its %, for example {amount.strip() or '1'}%")
    try:
        value = float(amount.strip().removesuffix("%")) / 100
    except ValueError:
        raise UsageError(f"{option}: {amount!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{option}: a threshold must be a finite, non-negative number")
    return value


def check_comparable(base: GateInput, current: GateInput, families: Sequence[str]) -> None:
    """Refuse two sides whose numbers say different things.

    Raises:
        UsageError: BASE was measured by another method version or from a tree with
            uncommitted changes, or counts come from different interpreter builds or
            valgrind versions.
    """
    if "time" in families:
        check_clocks(base, current)
    if base.kind == "pipebench" and base.metadata.get("dirty"):
        commit, patch = base.metadata.get("commit"), base.metadata.get("patch")
        raise UsageError(
            f"BASE {base.path} was measured from uncommitted changes ({commit} + patch {patch}): "
            f"a baseline must be a commit; {_refresh(base)}"
        )
    if base.kind != "pipebench" or current.kind != "pipebench":
        return
    base_method = (base.metadata.get("method") or {}).get("version")
    current_method = (current.metadata.get("method") or {}).get("version")
    if base_method != current_method:
        raise UsageError(
            f"BASE {base.path} was measured by method version {base_method}, CURRENT by {current_method}: "
            f"their numbers are not comparable; {_refresh(base)}"
        )
    counted = [family for family in families if FAMILIES[family].counted]
    base_counts, current_counts = base.metadata.get("counts"), current.metadata.get("counts")
    if counted and base_counts and current_counts:
        # The CPU matters too: glibc and numpy pick their copy and SIMD routines by what the
        # counted code sees of it, valgrind's guest CPU; runs that did not record it are
        # judged by the host's name instead.
        seen = "guest_cpu" if base_counts.get("guest_cpu") and current_counts.get("guest_cpu") else "cpu"
        for key in ("interpreter", "valgrind", seen):
            if base_counts.get(key) != current_counts.get(key):
                what = "CPUs as valgrind's guest sees them" if key == "guest_cpu" else f"{key}s"
                where = _features_apart(base_counts, current_counts) if key == "guest_cpu" else ""
                raise UsageError(
                    f"instruction and allocation counts from different {what} are not comparable "
                    f"({base_counts.get(key)} vs {current_counts.get(key)}{where}); compare other metrics with --metric"
                )
        base_cache, current_cache = base_counts.get("cache"), current_counts.get("cache")
        if METRICS[ESTIMATED_CYCLES].family in counted and base_cache and current_cache and base_cache != current_cache:
            raise UsageError(
                "estimated cycles of different cache models or weights are not comparable "
                f"({_cache_text(base_cache)} vs {_cache_text(current_cache)}); compare other metrics with --metric"
            )


def _features_apart(base_counts: Mapping[str, Any], current_counts: Mapping[str, Any], shown: int = 3) -> str:
    """``: they differ in NAME (A vs B), ...`` for the guest CPU's lines that differ, where both runs kept them."""
    sides = [base_counts.get("guest_cpu_features"), current_counts.get("guest_cpu_features")]
    if not all(isinstance(side, list) for side in sides):
        return ""
    base, current = ({str(line).partition("=")[0]: str(line).partition("=")[2] for line in side} for side in sides)
    apart = [name for name in sorted(base.keys() | current.keys()) if base.get(name) != current.get(name)]
    if not apart:
        return ""
    named = ", ".join(f"{name} ({base.get(name, 'absent')} vs {current.get(name, 'absent')})" for name in apart[:shown])
    more = f" and {len(apart) - shown} more" if len(apart) > shown else ""
    return f": they differ in {named}{more}"


def _cache_text(cache: Mapping[str, Any]) -> str:
    return f"{cache.get('model')}, {cache.get('estimate')}"


# Clocks that count the CPU time of the thread or process, not the time on the wall.
_CPU_CLOCKS = {"thread_time", "process_time", "thread_time_ns", "process_time_ns"}


def clock_kind(clock: str | None) -> str | None:
    """``"CPU time"`` or ``"wall-clock time"`` for a timer's name (``time.perf_counter``), None if unknown."""
    if not clock:
        return None
    return "CPU time" if clock.rsplit(".", 1)[-1] in _CPU_CLOCKS else "wall-clock time"


def check_clocks(base: GateInput, current: GateInput) -> None:
    """Refuse to compare times taken by a CPU clock with times taken by a wall clock.

    pipebench times the CPU time of the measuring thread; pytest-benchmark's default timer
    is the wall clock (``time.perf_counter``), which also counts the time the process
    waited while others ran: on a loaded machine the two part, and their ratio says
    nothing about the code.

    Raises:
        UsageError: the two sides' clocks are of different kinds.
    """
    kinds = clock_kind(base.clock), clock_kind(current.clock)
    if None not in kinds and kinds[0] != kinds[1]:
        raise UsageError(
            f"BASE {base.path} holds {kinds[0]} ({base.clock}), CURRENT {current.path} {kinds[1]} ({current.clock}): "
            "not one quantity; time pytest-benchmark with --benchmark-timer time.thread_time to compare it "
            "with a pipebench run, or compare only other families (--metric)"
        )
