"""Command line: thin commands over the library.

Each command parses options, calls one library function and prints. Library errors
(``AnalyserError``) become a one-line message naming the file and an exit code:
0 analysed, 1 gaps found and ``--fail-on`` asked to fail, 2 usage error, 3 a file could not
be read, 4 the shipped model is unusable.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from analyser import __version__
from analyser.cli_common import EXIT_GAPS, EXIT_UNREADABLE, fail
from analyser.errors import AgreementInAttachment, AnalyserError
from analyser.i18n import UI_LANGUAGES
from analyser.limits import Limits, limit_options
from analyser.output import check_writable, write_atomically
from analyser.printable import printable
from analyser.spacy_import import import_spacy_without_cli

FORMATS = ("text", "json", "markdown", "html", "pdf")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="analyser")
def main() -> None:
    """Check research-cooperation agreements for the six framework clauses.

    The EU Council Recommendation on research security (2024, §14c) and HK-dir's guidance ask
    that partnership agreements contain: respect for fundamental values, academic freedom,
    reciprocity, intellectual property rights, data management and an exit strategy. The
    analyser finds each clause in a draft (PDF, DOCX or TXT), judges it present, partial or
    missing with the passage that proves it, and suggests wording for the gaps.

    Everything runs on this machine: no document text leaves it.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format. html includes the document with its findings marked; pdf is the "
    "HTML report laid out on A4 (needs WeasyPrint).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--lang",
    type=click.Choice(UI_LANGUAGES),
    default=None,
    help="Language of the report's labels. Default: the document's (Norwegian for a Norwegian "
    "agreement). Quotes and suggested wording stay in the agreement's language.",
)
@click.option(
    "-p",
    "--profile",
    default=None,
    metavar="NAME|PATH",
    help="Policy profile: a shipped name (see `analyser profiles`) or a YAML file. "
    "Default: eu-2024.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["missing", "partial"]),
    default=None,
    help="Exit 1 if any clause is missing (or, with 'partial', not fully present).",
)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
@click.option(
    "--ocr",
    is_flag=True,
    help="Run OCR (ocrmypdf, English and Norwegian) on PDFs that have no text layer.",
)
@click.option(
    "--no-color",
    is_flag=True,
    help="No colour in the text report (also when the NO_COLOR variable is set). Colour is "
    "only ever used on a terminal.",
)
@click.option(
    "--attachments",
    is_flag=True,
    help="Also analyse the PDF, DOCX and text files attached to a PDF, each reported on its own.",
)
@limit_options
def check(
    files: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    lang: str | None,
    profile: str | None,
    fail_on: str | None,
    no_model: bool,
    ocr: bool,
    no_color: bool,
    attachments: bool,
    limits: Limits,
) -> None:
    """Analyse one or more agreements and print a gap report ('-' reads standard input).

    Exit codes: 0 analysed; 1 gaps found and --fail-on asked to fail; 2 usage error;
    3 a file could not be read (the others are still reported); 5 the report could not be
    written (checked before analysing); 6 --format pdf without its renderer (WeasyPrint).
    Each document is analysed in a worker process bounded by the --max-* limits (also
    settable as ANALYSER_MAX_* variables): past --max-seconds or --max-memory-bytes it is
    stopped and the document refused.
    """
    from analyser.engine import command_epoch

    epoch = command_epoch()  # first: the imports below count against the deadline
    import_spacy_without_cli()  # before anything imports spaCy (see analyser.spacy_import)
    from analyser.engine import (
        Engine,
        analyse_job,
        analyse_job_with_view,
        default_jobs,
        job_for_path,
        job_for_stream,
    )
    from analyser.pipeline import Analyser
    from analyser.render import render, render_many

    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.UsageError("--format pdf writes a binary file: give -o FILE or redirect")
    try:
        if output is not None:
            check_writable(output)  # before any analysis is spent on an unwritable path
        if fmt == "pdf":
            from analyser.render_pdf import check_pdf_renderer

            check_pdf_renderer()  # likewise: a missing renderer is found out first
        analyser = Analyser.for_profile(profile, use_model=not no_model, limits=limits, ocr=ocr)
    except AnalyserError as e:
        raise fail(e) from e
    jobs, errors = [], {}
    for index, path in enumerate(files):
        key = (index, 0)  # (document, 0); its attached file k is (document, k)
        try:
            if str(path) == "-":
                jobs.append(job_for_stream(key, sys.stdin.buffer, limits))
            else:
                jobs.append(job_for_path(key, path, limits))
        except AnalyserError as e:
            errors[key] = e
    attached: set[int] = set()
    if attachments:
        from analyser.attachments import attachment_jobs

        extra, refused = attachment_jobs(jobs, analyser, limits, epoch)
        jobs += extra
        errors.update(refused)
        attached = {key[0] for key in [*(job.key for job in extra), *refused]}
    found = {}
    workers = min(len(jobs), default_jobs())
    # The HTML report shows the document with its findings marked; the document itself exists
    # only in the worker, so the worker builds that view. (On paper the quotes carry the
    # evidence: the print stylesheet leaves the view out, so the PDF needs none.)
    task = analyse_job_with_view if fmt == "html" else analyse_job
    engine = Engine(analyser, task, jobs=workers, limits=limits, warm=len(jobs) > 1, epoch=epoch)
    views = {}
    for outcome in engine.run(jobs):
        if outcome.error is None:
            if fmt == "html":
                found[outcome.job.key], views[outcome.job.key] = outcome.value
            else:
                found[outcome.job.key] = outcome.value
        elif isinstance(outcome.error, AgreementInAttachment) and outcome.job.key[0] in attached:
            continue  # a portfolio's empty cover: its attached files are reported instead
        else:
            errors[outcome.job.key] = outcome.error
    for key in sorted(errors):
        if errors[key].exit_code != EXIT_UNREADABLE:
            raise fail(errors[key])
        click.echo(f"Error: {printable(errors[key])}", err=True)
    unreadable = len(errors)
    if attached:
        from analyser.attachments import note_analysed

        for index in attached:
            if (index, 0) in found:
                note_analysed(found[(index, 0)], sum(1 for key in found if key[0] == index) - 1)
    reports = [found[key] for key in sorted(found)]
    report_views = [views.get(key) for key in sorted(found)]
    if reports:
        colour = (
            output is None
            and fmt == "text"
            and not no_color
            and not os.environ.get("NO_COLOR")  # https://no-color.org
            and sys.stdout.isatty()
        )
        shape = "html" if fmt == "pdf" else fmt
        content: str | bytes
        if len(files) == 1 and not attached:  # several files always give a list
            content = render(reports[0], shape, colour=colour, lang=lang, view=report_views[0])
        else:
            content = render_many(reports, shape, lang=lang, views=report_views)
        if fmt == "pdf":
            from analyser.render_pdf import html_to_pdf_in_engine

            # One document: the layout gets what is left of its deadline (at least 2 s), so
            # the whole check stays within --max-seconds; several: a deadline of its own.
            left = limits.max_seconds - (time.monotonic() - epoch)
            seconds = max(2.0, left) if len(reports) == 1 else limits.max_seconds
            name = str(files[0]) if len(files) == 1 else f"the PDF report of {len(reports)} files"
            try:
                content = html_to_pdf_in_engine(
                    content, analyser, limits, seconds=seconds, name=name
                )
            except AnalyserError as e:
                raise fail(e) from e
        if output is not None:
            try:
                write_atomically(output, content)
            except AnalyserError as e:
                raise fail(e) from e
        elif isinstance(content, bytes):
            click.echo(content, nl=False)
        else:
            click.echo(content, nl=not content.endswith("\n"))
    if unreadable:
        sys.exit(EXIT_UNREADABLE)
    if fail_on and _has_gaps(reports, fail_on):
        sys.exit(EXIT_GAPS)


def _has_gaps(reports: list, fail_on: str) -> bool:  # type: ignore[type-arg]
    failing = {"missing"} if fail_on == "missing" else {"missing", "partial"}
    return any(c.status in failing for r in reports for c in r.clauses)


@main.command()
def profiles() -> None:
    """List the shipped policy profiles and the clauses each requires."""
    from analyser.profiles import builtin_profile_paths, load_profile
    from analyser.redflags import load_flag_set, selected_flags

    for name in builtin_profile_paths():
        try:
            prof = load_profile(name)
        except AnalyserError as e:
            raise fail(e) from e
        click.echo(f"{prof.id}: {prof.title}")
        click.echo(f"    clauses: {', '.join(c.id for c in prof.clauses)}")
        for clause_id, elements in prof.required_elements:
            click.echo(f"    requires: {clause_id} must include {', '.join(elements)}")
        flags = selected_flags(prof, load_flag_set(prof.red_flag_files))
        click.echo(f"    red flags: {', '.join(flags)}")


@main.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: the shipped models/ folder).",
)
@click.option(
    "--cv",
    "folds",
    type=int,
    default=0,
    metavar="K",
    help="Also print K-fold cross-validated F1 per clause and the reliability table.",
)
@click.option("--cv-only", is_flag=True, help="Only cross-validate; do not write a model.")
def train(output: Path | None, folds: int, cv_only: bool) -> None:
    """Rebuild the clause classifier from clause_patterns/training/*.jsonl.

    Deterministic: the same corpus gives the same model file, byte for byte.
    """
    from analyser.corpus import load_passages
    from analyser.pipeline import models_dir
    from analyser.train import cross_validate, train_model

    try:
        passages = load_passages()
    except AnalyserError as e:
        raise fail(e) from e
    click.echo(f"Training passages: {len(passages)}")
    if cv_only and not folds:
        folds = 5
    if folds:
        if folds < 2:
            raise click.UsageError("--cv needs at least 2 folds")
        result = cross_validate(passages, folds)
        click.echo(f"\n{folds}-fold cross-validation (passages held out of training in turn)")
        click.echo(f"{'clause':<20} {'target':<6} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
        for clause, by_target in result.scores.items():
            for target, s in by_target.items():
                click.echo(
                    f"{clause:<20} {target:<6} {s.precision:6.2f} {s.recall:6.2f} "
                    f"{s.f1:6.2f} {s.support:5d}"
                )
        click.echo(
            "\nReliability (all clauses and targets pooled): share of positives per score bin"
        )
        click.echo(f"{'score bin':<12} {'n':>6} {'positive':>9}")
        for lo, hi, n, rate in result.reliability:
            click.echo(f"{lo:.1f}–{hi:.1f}    {n:6d} {rate:9.3f}")
        precision, n = result.high_confidence_precision(0.9)
        click.echo(f"\nScored >= 0.9: {precision:.3f} right (n={n})")
    if not cv_only:
        _model, path = train_model(output or models_dir(), passages)
        click.echo(f"Model written: {path} (+ {path.with_suffix('.npz').name})")


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--labels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labels: samples' YAML or the shared corpus's JSONL.",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("-p", "--profile", default=None, metavar="NAME|PATH", help="Policy profile.")
@click.option(
    "--languages",
    default=None,
    metavar="CODES",
    help="Only documents detected in these languages, e.g. 'en,nb,nn'.",
)
@click.option("--no-model", is_flag=True, help="Judge by the pattern rules alone.")
def evaluate(
    directory: Path,
    labels: Path,
    fmt: str,
    profile: str | None,
    languages: str | None,
    no_model: bool,
) -> None:
    """Measure detection against labelled agreements, beside a keyword (Ctrl-F) baseline.

    Prints per clause precision / recall / F1 for "there (present or partial) vs missing",
    the 3-way status accuracy and a confusion table, for the analyser and for the baseline.
    """
    import json

    from analyser.evaluate import evaluate as run
    from analyser.evaluate import evaluation_to_dict, format_evaluation

    wanted = {c.strip() for c in languages.split(",")} if languages else None
    try:
        result = run(directory, labels, profile=profile, languages=wanted, use_model=not no_model)
    except AnalyserError as e:
        raise fail(e) from e
    if fmt == "json":
        click.echo(json.dumps(evaluation_to_dict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(format_evaluation(result))


# Commands that live in their own modules; registered after `main` exists because they use
# this module's helpers (write_atomically, exit codes).
from analyser.cli_batch import annotate, batch, checklist, compare  # noqa: E402
from analyser.cli_serve import serve  # noqa: E402

main.add_command(annotate)
main.add_command(batch)
main.add_command(checklist)
main.add_command(compare)
main.add_command(serve)
