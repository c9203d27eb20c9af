"""``pipebench report``'s files: the report of runs built once and written in every format, with its plots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipebench import frames, store
from pipebench.errors import UsageError
from pipebench.explain.changes import profiles_of, where_work_goes
from pipebench.report import document
from pipebench.timing import versus

REPORT_FILES = ("report.md", "report.html", "summary.csv")


def write_report(runs: Sequence[store.StoredRun], target: Path, against: str | None = None) -> Path:
    """Write the report of ``runs`` (side by side, the last one's counted cases broken down) into ``target``.

    ``against``: a variant every suite that timed it is read against instead of its
    reference (:func:`pipebench.timing.versus.against`). Returns the path of ``report.html``.

    Raises:
        UsageError: one run named twice (copies included), or ``against`` timed in none of a run's suites.
        pipebench.errors.InputError: ``target`` cannot be made or written.
    """
    store.check_output_dir(target)  # before the plots are drawn, which is most of the work
    results = [run.results for run in runs]
    if against is not None:
        results = [versus.against(result, against) for result in results]
    seen: dict[str, Path] = {}
    for run in runs:
        if run.results.run_id in seen:
            raise UsageError(f"{run.directory} and {seen[run.results.run_id]} are the same run ({run.results.run_id})")
        seen[run.results.run_id] = run.directory
    work = {case: where_work_goes(profile) for case, profile in profiles_of(runs[-1]).items()}
    built = document.build(frames.to_frame(results), frames.suite_descriptions(results), work)
    target = store.output_dir(target)
    files: dict[str, str | bytes] = {image.name: image.png for section in built.sections for image in section.images}
    rendered = (document.to_markdown(built), document.to_html(built), document.to_csv(built))
    files.update(zip(REPORT_FILES, rendered))
    store.write_files(target, files)
    return target / "report.html"
