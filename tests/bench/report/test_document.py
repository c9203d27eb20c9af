"""pipebench report: rendering on a small committed run, several runs, and bad input."""

import json
import re
import shutil
from pathlib import Path

import matplotlib.image
import pytest

from pipebench import frames, store
from pipebench.report import document as report

DATA = Path(__file__).resolve().parents[2] / "data"
SMALL_RUN = DATA / "run_small"


@pytest.fixture(scope="module")
def written(pipebench, tmp_path_factory):
    """The committed run, reported into a copy of its directory."""
    run_dir = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(SMALL_RUN, run_dir)
    code, out, err = pipebench("report", str(run_dir))
    assert code == 0, err
    assert out == f"report: {run_dir / 'report.html'}\n"
    return run_dir


def test_report_files_are_written_into_the_run_directory(written):
    for name in ("report.md", "report.html", "summary.csv"):
        assert (written / name).stat().st_size > 0


def test_plots_are_real_images_embedded_in_the_html(written):
    pngs = sorted(written.glob("report-*.png"))
    assert {p.name for p in pngs} >= {
        "report-stages-ratios.png",
        "report-stages-vs-n.png",
        "report-windows-ratios.png",
        "report-windows-vs-n.png",
        "report-windows-vs-w.png",
    }
    for png in pngs:
        pixels = matplotlib.image.imread(png)
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400
    html = (written / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == len(pngs)
    assert "<img" in html and "report-" not in html.split("<body>")[1].split("<h2>Findings")[0]


def test_markdown_has_tables_scaling_and_findings_for_every_suite(written):
    text = (written / "report.md").read_text()
    for suite, reference in (("stages", "generator"), ("windows", "deque")):
        assert f"## {suite}" in text and f"![{suite}: time against {reference}](report-{suite}-ratios.png)" in text
    assert "| variant" in text and "Scaling:" in text and "## Findings" in text
    assert "faster than `deque`" in text
    assert "peak memory vs N" in text and "time vs W" in text
    # Two sizes of N fit any slope: no growth is named from them, so no sentence says one.
    assert "peak memory against N" not in text and "| unclear" in text


def test_summary_csv_has_a_line_per_case(written):
    lines = (written / "summary.csv").read_text().splitlines()
    results = json.loads((written / "results.json").read_text())
    assert len(lines) - 1 == len({row["case_id"] for row in results["rows"]})


def test_runs_from_different_machines_are_labelled_and_not_mixed(synthetic_run, tmp_path):
    runs = [synthetic_run("r1", "alpha"), synthetic_run("r2", "beta")]
    built = report.build(frames.to_frame(runs), frames.suite_descriptions(runs))
    assert len(built.notes) == 1 and "different machines" in built.notes[0]
    assert set(built.findings) == {"r1 (alpha, abc1234)", "r2 (beta, abc1234)"}
    assert built.side_by_side is not None and list(built.side_by_side.columns)[1:] == list(built.findings)
    comparison = built.sections[0].comparison
    assert set(comparison["run"]) == set(built.findings)
    assert len(comparison) == 2 * 18


def test_latest_run_is_the_default(pipebench, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(SMALL_RUN, runs / "20260101T000000Z_abcdef0")
    code, out, _ = pipebench("report", "--runs-root", str(runs))
    assert code == 0 and "20260101T000000Z_abcdef0" in out


def corrupt(run_dir):
    (run_dir / store.RESULTS_FILE).write_text('{"schema": "pipebench-results", "schema_ver')


def other_version(run_dir):
    data = json.loads((run_dir / store.RESULTS_FILE).read_text())
    data["schema_version"] = 0
    (run_dir / store.RESULTS_FILE).write_text(json.dumps(data))


def incomplete(run_dir):
    (run_dir / store.INCOMPLETE_MARKER).write_text("")


def empty(run_dir):
    for path in run_dir.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


@pytest.mark.parametrize(
    ("damage", "message"),
    [(corrupt, "unreadable JSON"), (other_version, "schema version 0"), (incomplete, "incomplete"), (empty, "missing")],
)
def test_bad_run_directories_get_one_line_naming_the_file_and_exit_code_2(pipebench, tmp_path, damage, message):
    run_dir = tmp_path / "run"
    shutil.copytree(SMALL_RUN, run_dir)
    damage(run_dir)
    code, out, err = pipebench("report", str(run_dir))
    assert code == 2 and out == "" and message in err and str(run_dir) in err and err.count("\n") == 1


def test_missing_run_directory_and_no_runs_at_all(pipebench, tmp_path):
    assert pipebench("report", str(tmp_path / "nope"))[0] == 2
    code, _, err = pipebench("report", "--runs-root", str(tmp_path))
    assert code == 2 and "no complete run" in err


def _partial_run(tmp_path, name, keep, empty_samples=False):
    run_dir = tmp_path / name
    shutil.copytree(SMALL_RUN, run_dir)
    data = json.loads((run_dir / "results.json").read_text())
    data["rows"] = [row for row in data["rows"] if keep(row["metric"])]
    if empty_samples:
        for row in data["rows"]:
            row["samples"], row["sample_groups"] = [], []
    (run_dir / "results.json").write_text(json.dumps(data))
    return run_dir


@pytest.mark.parametrize(
    ("name", "keep", "empty_samples", "shown"),
    [
        ("no-time", lambda m: m not in ("time_per_record", "ratio_to_reference"), False, "B/record"),
        ("no-memory", lambda m: m not in ("peak_memory", "bytes_per_record"), False, "time vs ref"),
        ("counts-only", lambda m: m.startswith(("instructions", "allocations")), False, "instr/record"),
        ("no-samples", lambda m: True, True, "time vs ref"),
    ],
)
def test_runs_that_measured_part_of_the_metrics_report_what_they_have(
    pipebench, tmp_path, name, keep, empty_samples, shown
):
    run_dir = _partial_run(tmp_path, name, keep, empty_samples)
    code, _, err = pipebench("report", str(run_dir))
    assert code == 0, err
    assert shown in (run_dir / "report.md").read_text()


def test_the_html_puts_findings_first_rendered_with_coloured_verdicts_and_an_environment(written):
    html = (written / "report.html").read_text()
    body = html.split("<body>", 1)[1]
    assert body.index("<h2>Findings</h2>") < body.index("<h2>Environment</h2>") < body.index('<section id="stages">')
    assert "<code>numpy_batches</code>" in body and "`numpy_batches`" not in body
    assert 'class="v-faster"' in body and 'class="v-reference"' in body
    assert "<dt>CPU</dt>" in body and "<dt>method version</dt>" in body
    stages = body.split('<section id="stages">', 1)[1].split("</section>", 1)[0]
    assert stages.index("<figure>") < stages.index("<table>")  # the picture that answers first
    text = re.sub(r"base64,[^\"]+", "", body)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)


def test_findings_cannot_inject_html(synthetic_run):
    built = report.build(frames.to_frame([synthetic_run()]), frames.suite_descriptions([synthetic_run()]))
    built.findings[next(iter(built.findings))].append("<script>alert(1)</script> and `code`")
    html = report.to_html(built)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<code>code</code>" in html


def test_counted_cases_show_where_their_instructions_go(synthetic_run):
    runs = [synthetic_run()]
    frame = frames.to_frame(runs)
    work = {case: [("min_max", 0.8), ("_PyEval_EvalFrameDefault", 0.1)] for case in frame["case_id"].unique()}
    built = report.build(frame, frames.suite_descriptions(runs), work)
    names = [image.name for image in built.sections[0].images]
    assert "report-windows-instructions.png" in names
    assert any(
        "where the instructions go" in s and "80% in `min_max`" in s for s in built.findings["r1 (box, abc1234)"]
    )


HOSTILE = "<script>alert(1)</script> `x` [l](http://e.io) <img src=x onerror=alert(1)> *em*"


def test_names_descriptions_and_function_names_from_files_reach_neither_page_as_markup(synthetic_run):
    from dataclasses import replace

    from markdown_it import MarkdownIt

    run = synthetic_run(machine=HOSTILE)
    suites = {"windows": {**run.metadata["suites"]["windows"], "description": HOSTILE}}
    run = replace(run, metadata={**run.metadata, "suites": suites})
    frame = frames.to_frame([run])
    work = {case: [(f"min`max{HOSTILE}", 0.8)] for case in frame["case_id"].unique()}
    built = report.build(frame, frames.suite_descriptions([run]), work)
    markdown, page = report.to_markdown(built), report.to_html(built)
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    for output in (rendered, page.split("<body>", 1)[1]):
        assert "<script" not in output and "<a " not in output and "<em>" not in output
        assert not re.search(r"<img[^>]*onerror", output)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown, as text


def test_versus_reads_a_suite_against_the_variant_named_in_its_table_plot_and_findings(pipebench, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(SMALL_RUN, run_dir)
    code, _, err = pipebench("report", str(run_dir), "--versus", "monotonic", "--out", str(tmp_path / "versus"))
    assert code == 0, err
    text = (tmp_path / "versus" / "report.md").read_text()
    windows = text.split("## windows", 1)[1]
    assert "read against monotonic" in windows and "measured against deque" in windows
    assert "![windows: time against monotonic](report-windows-ratios.png)" in windows
    header = next(line for line in windows.splitlines() if line.startswith("| n"))
    assert "time vs monotonic" in header
    table = windows.split("Scaling:", 1)[0]
    monotonic = [line for line in table.splitlines() if "| monotonic" in line]
    assert monotonic and all("| reference" in line for line in monotonic)
    assert "than `monotonic`" in text and "than `deque`" not in text
    # Suites without the variant keep their reference.
    assert "![stages: time against generator](report-stages-ratios.png)" in text


def test_versus_a_variant_no_suite_timed_is_one_line_and_exit_2(pipebench, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(SMALL_RUN, run_dir)
    code, out, err = pipebench("report", str(run_dir), "--versus", "heap", "--out", str(tmp_path / "versus"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--versus heap: no suite of" in err and "monotonic" in err
    assert not (tmp_path / "versus").exists()
