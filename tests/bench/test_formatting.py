"""Names from files reach Markdown letter for letter: any string, as text or as a code span."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pipebench.formatting import code_span, format_bytes, format_interval, format_percent, markdown_text

# GitHub renders GFM; commonmark plus tables is what matters for escaping here.
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
PIECES = [*"ab1 _*`|[]()<>!:#-+>&;\\/\"'=\n\t~", "<script>", "](", "javascript:", "&amp;", "http://x.io", "<b>"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def _one_line(text):
    return " ".join(text.split())


@settings(max_examples=600, deadline=None)
@given(HOSTILE)
def test_text_renders_as_exactly_itself_with_no_markup(text):
    rendered = MARKDOWN.renderInline(markdown_text(text))
    assert not re.search(r"<(?!/?p>)", rendered), rendered  # no tag, no link, no emphasis, no code
    assert html.unescape(rendered) == _one_line(text)


@settings(max_examples=600, deadline=None)
@given(HOSTILE.filter(lambda t: t.strip()))
def test_a_code_span_holds_any_name_whole(text):
    rendered = MARKDOWN.renderInline(code_span(text))
    inner = rendered.removeprefix("<code>").removesuffix("</code>")
    assert rendered == f"<code>{inner}</code>" and "<" not in inner, rendered
    assert html.unescape(inner) == _one_line(text)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_a_table_cell_of_any_text_stays_one_cell(text):
    table = f"| a | b |\n|---|---|\n| {markdown_text(text)} | end |\n"
    rendered = MARKDOWN.render(table)
    assert rendered.count("<td>") == 2 and "<td>end</td>" in rendered


def test_case_ids_and_run_ids_keep_their_brackets_and_underscores():
    assert markdown_text("records[kind=dict,n=1000]") == "records[kind=dict,n=1000]"
    assert markdown_text("20261129T074529Z_f78b305") == "20261129T074529Z_f78b305"


def test_numbers_are_written_one_way():
    assert format_bytes(1536) == "1.5 KiB" and format_interval(0.9204, 0.9661) == "[0.92, 0.966]"
    assert format_percent(0.005) == "0.5%"
