"""Commands `batch`, `checklist` and `compare`: thin click wrappers over the library.

Plain ``@click.command()`` functions registered on :data:`analyser.cli.main`. Heavy modules
are imported inside the functions so that ``analyser --help`` stays fast. Exit codes follow
:mod:`analyser.cli`: 0 ok, 2 usage, 3 some file could not be read, 4 the model is unusable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from analyser.cli_common import EXIT_UNREADABLE, FiniteFloatRange, fail
from analyser.errors import AnalyserError
from analyser.limits import Limits, limit_options
from analyser.output import check_writable, write_atomically
from analyser.printable import printable
from analyser.spacy_import import import_spacy_without_cli

_PROFILE_HELP = "Policy profile: a shipped name or a YAML file. Default: eu-2024."


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports and summary.csv / summary.html (created if needed).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes.  [default: all cores]",
)
@click.option(
    "--timeout",
    type=FiniteFloatRange(min=0, min_open=True),
    default=None,
    hidden=True,  # the older name of --max-seconds, kept so existing scripts still run
)
@click.option(
    "-f",
    "--format",
    "formats",
    default="json",
    show_default=True,
    metavar="LIST",
    help="Report formats, comma-separated, from json,html,md,text (JSON is always written).",
)
@click.option("-p", "--profile", default=None, metavar="NAME|PATH", help=_PROFILE_HELP)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
@click.option("--force", is_flag=True, help="Redo documents that already have a valid report.")
@click.option(
    "--annotate",
    is_flag=True,
    help="Also write an annotated copy of each DOCX/PDF: OUT/<file name>.annotated.docx|pdf "
    "(findings as comments or notes, see `annotate`).",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Also read files in the folders that are symlinks to places outside them "
    "(skipped by default).",
)
@limit_options
def batch(
    paths: tuple[str, ...],
    out_dir: Path,
    jobs: int | None,
    timeout: float | None,
    formats: str,
    profile: str | None,
    no_model: bool,
    force: bool,
    annotate: bool,
    follow_symlinks: bool,
    limits: Limits,
) -> None:
    """Analyse every PDF/DOCX/TXT under PATHS (folders, files or globs) in parallel.

    Writes OUT/<file name>.<format> per document, OUT/summary.csv and OUT/summary.html.
    Each document is analysed by a warm worker, largest file first, within the --max-*
    limits (a document over --max-seconds or --max-memory-bytes is stopped and listed).
    Re-running skips documents whose report is for the same file content, tool, model and
    profile (--force redoes them), so an interrupted batch finishes only the rest.

    Exit codes: 0 all analysed; 2 usage error; 3 some documents could not be read, or with
    --annotate not annotated (listed in the summary with the reason; every other document
    still has its report); 4 model unusable;
    5 the output folder cannot be written (checked before analysing). The tool's own reports
    in OUT are never inputs; names too long for the file system are shortened.
    """
    from analyser.engine import command_epoch

    epoch = command_epoch()  # first: the imports below count against the deadline
    import_spacy_without_cli()  # before anything imports spaCy (see analyser.spacy_import)
    from analyser.batch import BatchOptions, ProgressLine, discover, parse_formats, run_batch

    try:
        fmt = parse_formats(formats)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--format") from e
    try:
        check_writable(out_dir / "summary.csv")  # before any document is analysed
    except AnalyserError as e:
        raise fail(e) from e
    files = discover(paths, exclude=out_dir, follow_symlinks=follow_symlinks)
    if not files:
        raise click.UsageError("no PDF, DOCX or TXT files found in the given paths")
    options = BatchOptions(
        out_dir, jobs, timeout, fmt, profile, not no_model, force, limits, epoch, annotate
    )
    try:
        result = run_batch(files, options, progress=ProgressLine(sys.stderr))
    except AnalyserError as e:
        raise fail(e) from e
    failed = result.failed
    click.echo(
        f"{len(result.results)} documents: {result.analysed} analysed, "
        f"{result.skipped} already done, {len(failed)} could not be read "
        f"({result.elapsed:.1f} s). Summary: {out_dir / 'summary.html'}"
    )
    if annotate:
        copies = sum(1 for r in result.results if r.annotated)
        click.echo(f"{copies} annotated drafts (*.annotated.docx, *.annotated.pdf) in {out_dir}")
    for row in failed:
        click.echo(f"Error: {printable(row.path)}: {printable(row.error)}", err=True)
    for row in result.not_annotated:
        click.echo(
            f"Error: {printable(row.path)}: not annotated: {printable(row.annotate_error)}",
            err=True,
        )
    if failed or result.not_annotated:
        sys.exit(EXIT_UNREADABLE)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Checklist file; the extension picks the format: .docx, .md or .html.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "nb"]),
    default=None,
    help="Checklist language.  [default: Norwegian for Norwegian documents, else English]",
)
@click.option("-p", "--profile", default=None, metavar="NAME|PATH", help=_PROFILE_HELP)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
@click.option("--institution", default=None, help="Your institution.")
@click.option("--partner", "partners", multiple=True, help="A partner (repeat for several).")
@click.option("--title", "agreement_title", default=None, help="The agreement's title.")
@click.option("--case-number", default=None, help="Case or reference number.")
@click.option("--draft-date", default=None, help="Date of the draft.")
@click.option("--draft-version", default=None, help="Version of the draft.")
@click.option("--reviewer", default=None, help="Reviewer (name, unit).")
@click.option(
    "--risk",
    type=click.Choice(["high", "medium", "low"]),
    default=None,
    help="Risk level.  [default: the analysis's risk, if any]",
)
@click.option("--escalation", default=None, help="Escalation level (who decides).")
@limit_options
def checklist(
    file: Path,
    output: Path,
    lang: str | None,
    profile: str | None,
    no_model: bool,
    limits: Limits,
    **given: Any,
) -> None:
    """Write a pre-signature checklist for FILE, pre-filled from its analysis.

    For each required clause: status, evidence, elements not found, risks and suggested
    wording (in the agreement's language); for each red flag, what to check; the process
    checks the guidance asks for before signing; check boxes, room for comments, the
    agreement's particulars (options, or the profile's `checklist:` settings) and a sign-off
    block. FILE may also be a JSON report. A document is analysed in a worker process bounded
    by the --max-* limits, as in `check`.
    """
    from analyser.engine import command_epoch

    epoch = command_epoch()  # first: the imports below count against the deadline
    from analyser.checklist import (
        CHECKLIST_FORMATS,
        build_checklist,
        fields_from,
        write_checklist,
    )
    from analyser.compare import load_report
    from analyser.profiles import load_profile

    suffix = output.suffix.lower().lstrip(".")
    if suffix not in CHECKLIST_FORMATS:
        raise click.BadParameter(
            f"use a .docx, .md or .html file name (got {output.name!r})", param_hint="--output"
        )
    try:
        check_writable(output)
        report = load_report(
            file, profile=profile, use_model=not no_model, limits=limits, epoch=epoch
        )
        given["partners"] = "; ".join(given.get("partners") or ())
        settings = dict(load_profile(profile or report.get("profile")).checklist_settings)
        fields = fields_from(settings, **given)
        data = build_checklist(report, lang=lang, profile=profile, fields=fields)
        write_checklist(data, output)
    except AnalyserError as e:
        raise fail(e) from e
    click.echo(f"Checklist written: {printable(output)}")


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("-p", "--profile", default=None, metavar="NAME|PATH", help=_PROFILE_HELP)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
@limit_options
def compare(
    old: Path,
    new: Path | None,
    fmt: str,
    output: Path | None,
    profile: str | None,
    no_model: bool,
    limits: Limits,
) -> None:
    """What changed between two versions of an agreement: OLD and NEW.

    Each may be a document (PDF/DOCX/TXT, analysed now) or a JSON report from `check` or
    `batch`. Shows gaps closed and opened, clauses whose status or evidence changed, red flags
    that appeared or disappeared and, for two documents, a word-level redline of every changed
    passage. With OLD alone, a DOCX with tracked changes: its text before them against after.
    Each document is analysed in a worker process bounded by the --max-* limits, as in `check`.
    """
    from analyser.engine import command_epoch

    epoch = command_epoch()  # first: the imports below count against the deadline
    from analyser.compare import (
        compare_in_engine,
        load_versions,
        render_comparison,
        revision_versions,
    )

    options: dict[str, Any] = {
        "profile": profile, "use_model": not no_model, "limits": limits, "epoch": epoch,
    }  # fmt: skip
    try:
        if output is not None:
            check_writable(output)
        if new is None:
            before, after = revision_versions(old, **options)
        else:
            before, after = load_versions([old, new], **options)
        comparison = compare_in_engine(before, after, limits=limits)
        content = render_comparison(comparison, fmt)
        if output is not None:
            write_atomically(output, content + "\n")
    except AnalyserError as e:
        raise fail(e) from e
    if output is None:
        click.echo(content)


@click.command()
@click.argument("draft", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the annotated copy (same format as DRAFT).",
)
@click.option("-p", "--profile", default=None, metavar="NAME|PATH", help=_PROFILE_HELP)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
@limit_options
def annotate(
    draft: Path, output: Path, profile: str | None, no_model: bool, limits: Limits
) -> None:
    """Answer inside the draft: write a copy of DRAFT (DOCX or PDF) with the findings in it.

    DOCX: every finding is a Word comment by "Agreement analyser" on the passage it is about,
    one summary comment on the first paragraph, and the suggested wording for each missing
    or partial clause is inserted as a tracked change. PDF: a highlight with a note on each
    passage, and the gaps with their suggested wording as notes on page 1. The original is
    not modified. The analysis and the annotating run in a worker process bounded by the
    --max-* limits, as in `check`: past them the draft is refused in one line (exit 3) and
    nothing is written. Exit codes: 0 written; 2 usage error; 3 the draft could not be read,
    annotated or analysed within the limits; 5 the copy could not be written.
    """
    from analyser.engine import command_epoch

    epoch = command_epoch()  # first: the imports below count against the deadline
    from analyser.annotate import annotate_job
    from analyser.engine import Engine, job_for_path
    from analyser.pipeline import Analyser

    if output.resolve() == draft.resolve():
        raise click.BadParameter("write the annotated copy to another file", param_hint="-o")
    try:
        check_writable(output)  # before any analysis is spent on an unwritable path
        analyser = Analyser.for_profile(profile, use_model=not no_model, limits=limits)
        job = job_for_path(0, draft, limits)
        engine = Engine(analyser, annotate_job, jobs=1, limits=limits, warm=False, epoch=epoch)
        (outcome,) = list(engine.run([job]))
        if outcome.error is not None:
            raise outcome.error
        write_atomically(output, outcome.value)
    except AnalyserError as e:
        raise fail(e) from e
    click.echo(f"Annotated draft written: {output}")
