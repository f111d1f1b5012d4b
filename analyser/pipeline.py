"""extract → segment → detect → Report, with the expensive parts built once per process.

The web server and batch workers analyse many documents; the matchers and the model are
loaded on first use and reused, so a warm process pays only for the document itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from analyser import __version__
from analyser.block_language import attach_translations
from analyser.classifier import ClauseClassifier
from analyser.document import Document
from analyser.errors import ModelError, NoTextLayer, UntrustedTextLayer
from analyser.limits import Limits
from analyser.profiles import Profile, apply_required_elements, load_profile
from analyser.report import DocumentInfo, HiddenText, Report
from analyser.rules import ClauseMatcher
from analyser.segment import segment

MODEL_NAME = "clause_classifier"


def models_dir() -> Path:
    try:
        path = Path(str(resources.files("analyser.models")))
        if (path / f"{MODEL_NAME}.json").exists():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[1] / "models"


@lru_cache(maxsize=2)
def load_model(directory: str | None = None) -> ClauseClassifier | None:
    """The shipped classifier, or None when no model file exists (rules only)."""
    path = Path(directory) if directory else models_dir()
    if not (path / f"{MODEL_NAME}.json").exists():
        return None
    return ClauseClassifier.load(path, MODEL_NAME)


@dataclass
class Analyser:
    """Analyses documents against one profile; reusable across documents."""

    profile: Profile
    use_model: bool = True
    model_dir: str | None = None
    limits: Limits | None = None  # None: defaults, overridden by ANALYSER_MAX_... variables
    ocr: bool = False  # run OCR on PDFs without a text layer (only when the user asks)
    # Parse in a killable child (analyser.isolation). False inside an engine worker
    # (analyser.engine), which is itself the bounded, killable process for the whole analysis.
    isolate: bool = True
    timings: dict[str, float] = field(default_factory=dict)
    _matchers: dict[str, ClauseMatcher] = field(default_factory=dict, repr=False)

    @classmethod
    def for_profile(
        cls,
        name_or_path: str | None = None,
        *,
        use_model: bool = True,
        model_dir: str | None = None,
        limits: Limits | None = None,
        ocr: bool = False,
    ) -> Analyser:
        return cls(
            load_profile(name_or_path),
            use_model=use_model,
            model_dir=model_dir,
            limits=limits,
            ocr=ocr,
        )

    def matcher(self, lang: str) -> ClauseMatcher:
        if lang not in self._matchers:
            self._matchers[lang] = ClauseMatcher(list(self.profile.clauses), lang)
        return self._matchers[lang]

    def warm(self) -> Analyser:
        """Load the model, both languages' pipelines and matchers, and run a probe document
        through every stage now, e.g. before forking warm workers (analyser.engine)."""
        from analyser.document import Block
        from analyser.segment import sentence_pipeline

        for lang in ("en", "nb"):
            sentence_pipeline(lang)
            self.matcher(lang)
        text = "1. The Parties shall respect academic freedom.\n\n2. Either Party may terminate."
        self.analyse_document(Document("warm-up", "", "", "txt", text, [Block(text, 0, len(text))]))
        return self

    def model(self) -> ClauseClassifier | None:
        if not self.use_model:
            return None
        model = load_model(self.model_dir)
        if model is not None:
            missing = [c.id for c in self.profile.clauses if c.id not in model.clauses]
            if missing and len(missing) == len(self.profile.clauses):
                raise ModelError("the model knows none of the profile's clauses")
        return model

    def analyse_path(self, path: str | Path) -> Report:
        """Analyse a file; its parsing runs in a child process bounded by ``self.limits``."""
        return self.analyse_file(path)[0]

    def analyse_file(self, path: str | Path) -> tuple[Report, Document]:
        """Like :meth:`analyse_path`, also returning the extracted document (for the HTML
        report's document view, which shows the findings in the text)."""
        from analyser.isolation import extract_isolated  # parsers are heavy: import on use

        started = time.perf_counter()
        try:
            if self.isolate:
                document = extract_isolated(path, self.limits)
            else:
                from analyser.extract import extract

                document = extract(path, limits=self.limits or Limits.from_env())
        except NoTextLayer as error:
            if not self.ocr:
                raise
            from analyser.ocr import extract_with_ocr

            document = extract_with_ocr(
                Path(path), self.limits, force=isinstance(error, UntrustedTextLayer)
            )
        self.timings["extract"] = time.perf_counter() - started
        return self.analyse_document(document), document

    def analyse_document(self, document: Document) -> Report:
        from analyser.detect import annex_warnings, detect_clauses
        from analyser.redflags import detect_red_flags, mark_contradicted_clauses

        t0 = time.perf_counter()
        segmented = segment(document)
        t1 = time.perf_counter()
        model = self.model()
        clauses = detect_clauses(
            segmented, self.profile, self.matcher(segmented.pattern_lang), model, self.matcher
        )
        clauses = apply_required_elements(clauses, self.profile, segmented)
        red_flags = detect_red_flags(segmented, self.profile, clauses)
        attach_translations(clauses, red_flags, segmented)
        clauses = mark_contradicted_clauses(clauses, red_flags, self.profile)
        risk = self.profile.risk.assess(clauses, red_flags)
        t2 = time.perf_counter()
        self.timings["segment"], self.timings["detect"] = t1 - t0, t2 - t1
        warnings = list(document.warnings) + annex_warnings(clauses, segmented.pattern_lang)
        if normalised := segmented.normalisation.warning():
            warnings.append(normalised)
        if segmented.language not in {"en", "nb", "nn"}:
            warnings.append(
                f"language '{segmented.language}': patterns and model cover English and "
                "Norwegian; results for this document are less reliable"
            )
        if model is None and self.use_model:
            warnings.append("no trained model found: clauses judged by rules only")
        if document.hidden:
            warnings.append(hidden_text_warning(len(document.hidden)))
        info = DocumentInfo(
            document.name,
            document.sha256,
            document.format,
            document.pages,
            segmented.language,
            len(document.text),
            languages=segmented.languages,
            hidden_text=len(document.hidden),
            skipped=skipped_counts(document),
        )
        model_version = str(model.metadata.get("corpus_sha256", ""))[:12] if model else None
        report = Report(
            info,
            clauses,
            profile=self.profile.id,
            red_flags=red_flags,
            warnings=warnings,
            tool_version=__version__,
            model_version=model_version,
            hidden=[HiddenText(h.text, h.reason, h.page, h.section) for h in document.hidden],
            risk=risk,
        )
        revisions = document.revisions
        if revisions is not None and revisions.before is not None:
            # Pending tracked changes: judge the draft as it read before them too.
            from analyser.revision_effect import apply_revision_effects

            timings = dict(self.timings)
            apply_revision_effects(report, self.analyse_document(revisions.before), revisions)
            self.timings = timings
        return report


def skipped_counts(document: Document) -> dict[str, int]:
    """Furniture lines by kind; a table of contents counts once per page it fills."""
    counts: dict[str, int] = {}
    toc_pages = set()
    for passage in document.skipped:
        if passage.kind == "table_of_contents":
            toc_pages.add(passage.page)
        else:
            counts[passage.kind] = counts.get(passage.kind, 0) + 1
    if toc_pages:
        counts["table_of_contents"] = len(toc_pages)
    return counts


def hidden_text_warning(count: int) -> str:
    """The warning for text a reader cannot see; the passages are listed in the report."""
    if count == 1:
        return "1 passage of hidden text was ignored (listed under 'Hidden text')"
    return f"{count} passages of hidden text were ignored (listed under 'Hidden text')"
