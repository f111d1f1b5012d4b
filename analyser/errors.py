"""One catalogue of the errors the library raises.

The library never prints or exits: it raises these, and the edges (CLI, web) turn them into a
one-line message and an exit code or HTTP status. Each carries the file it concerns so the
message can name it.
"""

from __future__ import annotations


class AnalyserError(Exception):
    """Base class; ``exit_code`` is what the CLI returns for it."""

    exit_code = 3

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class UnreadableDocument(AnalyserError):
    """The file could not be turned into text (missing, corrupt, wrong type, no text layer)."""


class FileNotFound(UnreadableDocument):
    pass


class UnsupportedFormat(UnreadableDocument):
    pass


class CorruptDocument(UnreadableDocument):
    pass


class EncryptedDocument(UnreadableDocument):
    pass


class NoTextLayer(UnreadableDocument):
    pass


class UntrustedTextLayer(NoTextLayer):
    """Every word of the PDF's text layer is in fonts whose ToUnicode map disagrees with the
    glyphs: only OCR of the pages (all of them, text or not) can read what they show."""


class OcrFailed(UnreadableDocument):
    """OCR was asked for but is not installed, failed, or still found no text."""


class DocumentTooLarge(UnreadableDocument):
    pass


class XfaForm(UnreadableDocument):
    """A dynamic XFA form: its pages exist only when Adobe's XFA engine renders them."""


class AgreementInAttachment(UnreadableDocument):
    """The pages hold no text but the PDF carries attached files (often a portfolio)."""


class ParserFailure(CorruptDocument):
    """The isolated parsing process did not come back with an answer (see analyser.isolation).

    The parent survives and reports which way the child failed; the file is the likely cause.
    """


class ParserTimeout(ParserFailure):
    pass


class ParserCrashed(ParserFailure):
    pass


class ParserOutOfMemory(ParserFailure):
    pass


class OutputError(AnalyserError):
    """A report, checklist or summary could not be written (read-only, full, name too long).

    Its own exit code: the documents were fine, the place to put the result was not.
    """

    exit_code = 5


class ServerStartError(AnalyserError):
    """The web server cannot start as asked (the port is in use, the address is not ours)."""

    exit_code = 5


class NotARegularFile(UnreadableDocument):
    """A device, FIFO or socket: reading it could last for ever (``/dev/zero``, a pipe)."""


class AnalysisFailure(ParserFailure):
    """The worker analysing a document (extract, segment, detect, red flags) gave no answer.

    Subclasses of the parser failures, so callers that catch those keep working: since the
    execution engine (analyser.engine) bounds the whole analysis, not only parsing, the
    deadline or memory cap may bite in any stage.
    """


class AnalysisTimeout(AnalysisFailure, ParserTimeout):
    pass


class AnalysisOutOfMemory(AnalysisFailure, ParserOutOfMemory):
    pass


class AnalysisCrashed(AnalysisFailure, ParserCrashed):
    pass


class EngineBusy(AnalyserError):
    """Every worker is busy and the queue is full (the web answers 503 + Retry-After)."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PatternError(AnalyserError):
    """A file in clause_patterns/ (or a user profile) is malformed; names file and entry."""

    exit_code = 2


class ModelError(AnalyserError):
    """The shipped model is missing, altered or built for other labels."""

    exit_code = 4


class NoRevisions(AnalyserError):
    """A one-file comparison of a draft that has no pending tracked changes (a usage error)."""

    exit_code = 2


class RendererMissing(AnalyserError):
    """A report format needs a library that is not installed (``--format pdf`` and WeasyPrint).

    Its own exit code: nothing is wrong with the documents or the output path; installing the
    renderer (or choosing another format) is the fix.
    """

    exit_code = 6
