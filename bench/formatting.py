"""How figures and names are written wherever pipebench shows them: bytes, intervals, Markdown text, one way each."""

from __future__ import annotations

import html
import re

_LINK_CLOSE = re.compile(r"\](?=[(\[:])")
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def format_bytes(value: float) -> str:
    """``512 B``, ``1.5 KiB``, ``18.3 MiB``: binary units, one decimal above bytes."""
    for unit in ("B", "KiB", "MiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def format_interval(low: float, high: float, digits: int = 3) -> str:
    """``[0.92, 0.966]``: a confidence interval, the same in the terminal, the report and the gate."""
    return f"[{low:.{digits}g}, {high:.{digits}g}]"


def format_percent(fraction: float) -> str:
    """``0.005`` as ``0.5%``, ``0.1`` as ``10%``: as many digits as the figure has, up to three."""
    return f"{fraction * 100:.3g}%"


def markdown_text(text: object) -> str:
    """``text`` as Markdown shows it letter for letter, on one line: no HTML, link, emphasis, code span or table cell.

    For what comes from files a user gave (benchmark ids, machine names, suite
    descriptions): on a CI page or in a report it must not become markup.
    """
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    for character in "\\|`*":
        escaped = escaped.replace(character, "\\" + character)
    # An underscore inside a word emphasizes nothing: run ids keep theirs as they are.
    escaped = _LONE_UNDERSCORE.sub(r"\\_", escaped)
    # A bracket makes a link only before "(", "[" or ":" (inline, reference, definition):
    # case ids keep their brackets as they are.
    return _LINK_CLOSE.sub(r"\\]", escaped)


def code_span(text: object) -> str:
    """``text`` as one Markdown code span, whatever backticks it holds (CommonMark's longer fence), on one line."""
    content = " ".join(str(text).split())
    run = longest = 0
    for character in content:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    padded = f" {content} " if content.startswith("`") or content.endswith("`") or not content.strip() else content
    return f"{fence}{padded}{fence}"
