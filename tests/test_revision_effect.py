"""What pending tracked changes do to each clause, and the sentence every format leads with."""

from __future__ import annotations

from pathlib import Path

import pytest
from revision_fixtures import (
    ONLY_ARTICLE_3,
    PARTNER,
    build_agreement,
    delete_article,
    delete_paragraphs_starting,
    renumber_from,
)

from analyser.render import render
from analyser.report import ClauseResult, Concern, ElementResult, Report
from analyser.revision_effect import clause_effect, revision_sentence


@pytest.fixture(scope="module")
def deleted_article(tmp_path_factory: pytest.TempPathFactory, analyser_default) -> Report:  # noqa: ANN001
    path = tmp_path_factory.mktemp("effect") / "partner-redline.docx"
    edits = (delete_article(3), delete_paragraphs_starting("9.3", "9.4"))
    return analyser_default.analyse_path(build_agreement(path, *edits, text=ONLY_ARTICLE_3))


def _clause(report: Report, clause_id: str) -> ClauseResult:
    return next(c for c in report.clauses if c.id == clause_id)


def test_revision_effect_deleted_article_is_removed(deleted_article: Report) -> None:
    freedom = _clause(deleted_article, "academic_freedom")
    assert (freedom.status, freedom.status_before_revisions) == ("missing", "present")
    assert freedom.revision_effect == "removed"
    deletions = [e for e in freedom.revision_evidence if e.kind == "deleted"]
    assert deletions and deletions[0].author == PARTNER
    assert deletions[0].text.startswith("Article 3 – Academic freedom")
    exit_clause = _clause(deleted_article, "exit_strategy")
    assert exit_clause.revision_effect == "weakened"
    assert any(e.text.startswith("9.3") for e in exit_clause.revision_evidence)


def test_revision_effect_text_report_says_so_first(deleted_article: Report) -> None:
    head = " ".join(render(deleted_article, "text").splitlines()[:6])
    assert (
        "Pending changes by Partner Legal (0 insertions, 2 deletions): they remove Academic "
        "freedom (Article 3 deleted) and weaken Exit strategy." in " ".join(head.split())
    )


@pytest.mark.parametrize("fmt", ["markdown", "html"], ids=["markdown", "html"])
def test_revision_effect_sentence_in_every_format(deleted_article: Report, fmt: str) -> None:
    sentence = revision_sentence(deleted_article)
    assert sentence is not None
    out = render(deleted_article, fmt)
    assert "Partner Legal" in out[: out.index("Academic freedom (Article 3 deleted)") + 1]


def test_revision_effect_json_fields(deleted_article: Report, report_schema: dict) -> None:
    import jsonschema

    data = deleted_article.to_dict()
    jsonschema.validate(data, report_schema)
    assert data["document"]["revisions"]["authors"] == [PARTNER]
    assert data["document"]["revisions"]["deletions"] == 2
    effects = {c["id"]: c["revision_effect"] for c in data["clauses"]}
    assert effects["academic_freedom"] == "removed"
    assert effects["reciprocity"] == "unchanged"


def test_revision_effect_renumbering_changes_nothing(
    tmp_path: Path,
    analyser_default,  # noqa: ANN001
) -> None:
    report = analyser_default.analyse_path(
        build_agreement(tmp_path / "renumbered.docx", renumber_from(4))
    )
    assert report.document.revisions is not None and report.document.revisions.insertions > 10
    assert {c.revision_effect for c in report.clauses} == {"unchanged"}
    assert all(c.status == c.status_before_revisions for c in report.clauses)
    assert "leave every required clause as it was" in (revision_sentence(report) or "")


NB_SAMPLE = (
    Path(__file__).resolve().parents[1] / "samples" / "forskningsavtale-lofoten-litoral-nb.txt"
)


def _delete_paragraph_section(number: int):  # noqa: ANN202
    """Delete "§ N ..." and its paragraphs (the Norwegian sample numbers by paragraph sign)."""
    from revision_fixtures import delete_paragraph

    def edit(paragraphs) -> None:  # noqa: ANN001
        inside = False
        for p in paragraphs:
            if p.text.startswith("§ "):
                inside = p.text.startswith(f"§ {number} ")
            if inside:
                delete_paragraph(p)

    return edit


def test_revision_effect_sentence_in_the_drafts_language(tmp_path: Path, analyser_default) -> None:  # noqa: ANN001
    """A Norwegian redline gets the Norwegian sentence (wording from messages/nb.yaml), at the
    top of the text report too; English on request; the deleted article's own label."""
    from dataclasses import replace

    from analyser.report import RevisionEvidence

    text = NB_SAMPLE.read_text(encoding="utf-8")
    path = build_agreement(tmp_path / "nb.docx", _delete_paragraph_section(8), text=text)
    report = analyser_default.analyse_path(path)
    assert report.document.language == "nb"
    sentence = revision_sentence(report) or ""
    assert sentence.startswith(
        "Ventende endringer av Partner Legal (0 innsettinger, 1 sletting): de "
    )
    changed = [c.title for c in report.clauses if c.revision_effect != "unchanged"]
    assert changed and all(title in sentence for title in changed)
    head = " ".join(" ".join(render(report, "text").splitlines()[:6]).split())
    assert sentence in head
    english = revision_sentence(report, "en") or ""
    assert english.startswith("Pending changes by Partner Legal (0 insertions, 1 deletion): they ")
    # A removal names the deleted article as the draft numbers it.
    ipr = next(c for c in report.clauses if c.id == "ipr")
    removed = replace(
        ipr,
        revision_effect="removed",
        revision_evidence=[
            RevisionEvidence("deleted", "§ 6 Immaterielle rettigheter", PARTNER, None, "§ 6")
        ],
    )
    report.clauses = [removed if c.id == "ipr" else c for c in report.clauses]
    assert f"de fjerner {ipr.title} (§ 6 slettet)" in (revision_sentence(report) or "")
    assert f"they remove {ipr.title} (§ 6 deleted)" in (revision_sentence(report, "en") or "")


def test_revision_effect_absent_without_revisions(analyser_default, tmp_path: Path) -> None:  # noqa: ANN001
    report = analyser_default.analyse_path(build_agreement(tmp_path / "clean.docx"))
    assert revision_sentence(report) is None
    assert all("revision_effect" not in c for c in report.to_dict()["clauses"])


def _result(
    status: str, found: tuple[str, ...] = (), concerns: tuple[str, ...] = ()
) -> ClauseResult:
    return ClauseResult(
        "exit_strategy",
        "Exit strategy",
        status,  # type: ignore[arg-type]
        0.9,
        elements=[ElementResult(e, e, e in found) for e in ("notice", "teach_out", "data")],
        concerns=[Concern(c, c) for c in concerns],
    )


@pytest.mark.parametrize(
    ("before", "after", "effect"),
    [
        (_result("present"), _result("missing"), "removed"),
        (_result("present"), _result("partial"), "weakened"),
        (_result("missing"), _result("partial"), "added"),
        (_result("partial"), _result("present"), "strengthened"),
        (_result("partial", ("notice", "teach_out")), _result("partial", ("notice",)), "weakened"),
        (_result("partial"), _result("partial", concerns=("one_sided",)), "weakened"),
        (_result("partial", concerns=("one_sided",)), _result("partial"), "strengthened"),
        (_result("present", ("notice",)), _result("present", ("notice",)), "unchanged"),
        (None, _result("present"), "added"),
    ],
    ids=["removed", "weakened", "added", "strengthened", "element-lost", "concern-added",
         "concern-gone", "unchanged", "clause-new"],
)  # fmt: skip
def test_revision_effect_clause_effect(
    before: ClauseResult | None, after: ClauseResult, effect: str
) -> None:
    assert clause_effect(before, after) == effect


def test_revision_effect_sentence_follows_the_chosen_report_language(
    tmp_path: Path,
    analyser_default,  # noqa: ANN001
) -> None:
    """`check --lang en` on a Norwegian redline: English labels, and the sentence in English."""
    text = NB_SAMPLE.read_text(encoding="utf-8")
    path = build_agreement(tmp_path / "nb.docx", _delete_paragraph_section(8), text=text)
    report = analyser_default.analyse_path(path)
    for fmt in ("text", "markdown", "html"):
        english = render(report, fmt, lang="en")
        assert "Pending changes by Partner Legal" in english, fmt
        assert "Ventende endringer" not in english, fmt
        assert "Ventende endringer av Partner Legal" in render(report, fmt), fmt
