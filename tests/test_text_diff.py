"""Word-level redline between two versions, aligned by paragraph and article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from revision_fixtures import ONLY_ARTICLE_3, SOURCE, build_agreement, delete_article

from analyser.cli_batch import compare
from analyser.extract import extract
from analyser.text_diff import diff_documents, diff_texts

CONFIDENTIALITY = ("for five years after disclosure", "for fifty years after disclosure")
JURISDICTION = (
    "Each project annex shall state the governing law.",
    "All disputes shall be settled exclusively by the courts of the Republic of South Africa.",
)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("versions")
    text = SOURCE.read_text(encoding="utf-8")
    changed = text.replace(*CONFIDENTIALITY).replace(*JURISDICTION)
    old, new = folder / "v1.txt", folder / "v2.txt"
    old.write_text(text, encoding="utf-8")
    new.write_text(changed, encoding="utf-8")
    return old, new


def test_text_diff_confidentiality_and_jurisdiction(versions: tuple[Path, Path]) -> None:
    diff = diff_documents(extract(versions[0]), extract(versions[1]))
    assert [(c.kind, c.old, c.new, c.section) for c in diff.changes] == [
        ("replaced", "five", "fifty", "Article 7 Confidentiality"),
        ("replaced", JURISDICTION[0], JURISDICTION[1], "Article 10 Disputes and governing law"),
    ]
    assert diff.changes[0].context_before.endswith("confidential, for")
    assert not diff.different_agreements and diff.similarity > 0.95


def test_text_diff_identical_versions_have_no_changes(versions: tuple[Path, Path]) -> None:
    document = extract(versions[0])
    diff = diff_documents(document, document)
    assert diff.changes == [] and diff.similarity == 1.0


def test_text_diff_unrelated_agreements(versions: tuple[Path, Path]) -> None:
    other = extract(SOURCE.parent / "rca-vestland-andes.txt")
    assert diff_documents(extract(versions[0]), other).different_agreements


@pytest.mark.parametrize(
    ("fmt", "old_mark", "new_mark"),
    [
        ("text", "[-five-]", "{+fifty+}"),
        ("markdown", "<del>five</del>", "<ins>fifty</ins>"),
        ("html", "<del>five</del>", "<ins>fifty</ins>"),
    ],
    ids=["text", "markdown", "html"],
)
def test_text_diff_every_format_shows_both_changes(
    runner,
    versions: tuple[Path, Path],
    fmt: str,
    old_mark: str,
    new_mark: str,  # noqa: ANN001
) -> None:
    result = runner.invoke(compare, [*map(str, versions), "-f", fmt, "--no-model"])
    assert result.exit_code == 0, result.output
    assert old_mark in result.output and new_mark in result.output
    output = " ".join(result.output.split())  # the text format wraps lines
    assert "Republic of South Africa" in output and "Article 10" in output


def test_text_diff_json_text_changes(runner, versions: tuple[Path, Path]) -> None:  # noqa: ANN001
    result = runner.invoke(compare, [*map(str, versions), "-f", "json", "--no-model"])
    data = json.loads(result.output)
    changes = [{k: c[k] for k in ("kind", "old", "new", "section")} for c in data["text_changes"]]
    assert changes[0] == {
        "kind": "replaced",
        "old": "five",
        "new": "fifty",
        "section": "Article 7 Confidentiality",  # the title line above the clause is its heading
    }
    assert changes[1]["new"] == JURISDICTION[1]
    assert data["warnings"] == []


def test_text_diff_unrelated_files_warn(runner, versions: tuple[Path, Path]) -> None:  # noqa: ANN001
    other = SOURCE.parent / "rca-vestland-andes.txt"
    result = runner.invoke(compare, [str(versions[0]), str(other), "--no-model"])
    assert result.exit_code == 0, result.output
    assert "look like different agreements" in result.output


def test_text_diff_same_evidence_text_not_reported(versions: tuple[Path, Path]) -> None:
    """A quote the other version contains word for word is not 'removed' or 'added'."""
    from analyser.compare import compare_versions, load_version

    old, new = (load_version(p, use_model=False) for p in versions)
    comparison = compare_versions(old, new)
    assert all(not c.evidence_changed for c in comparison.clauses)


def test_text_diff_one_redlined_docx(runner, tmp_path: Path) -> None:  # noqa: ANN001
    draft = build_agreement(tmp_path / "draft.docx", delete_article(3), text=ONLY_ARTICLE_3)
    result = runner.invoke(compare, [str(draft), "-f", "json", "--no-model"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old_name"] == "draft.docx (before tracked changes)"
    assert data["text_changes"][0]["kind"] == "deleted"
    assert data["text_changes"][0]["old"].startswith("Article 3 – Academic freedom")
    assert "academic_freedom" in data["summary"]["gaps_opened"]


def test_text_diff_one_file_without_tracked_changes_is_usage_error(
    runner,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    result = runner.invoke(compare, [str(build_agreement(tmp_path / "clean.docx"))])
    assert result.exit_code == 2
    assert "no tracked changes" in result.output


def _repeated(count: int, changed_every: int) -> tuple[list[tuple[str, None]], list]:
    """``count`` copies of one paragraph, and a version with every n-th copy changed: each
    longest-match search visits every pair of equal paragraphs (cubic work, unbudgeted)."""
    same = ("The Parties shall meet once a year.", None)
    other = ("The Parties shall meet once a month.", None)
    old = [same] * count
    new = [other if i % changed_every == 0 else same for i in range(count)]
    return old, new


def test_text_diff_work_budget_gives_a_coarse_complete_redline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2,000 such paragraphs took four minutes; past the budget the rest is one replacement
    that still holds every changed word, and the diff says it is coarse."""
    import analyser.text_diff as text_diff

    monkeypatch.setattr(text_diff, "WORK_BUDGET", 20_000)
    old, new = _repeated(300, 2)
    diff = text_diff.diff_texts(old, new)
    assert not diff.complete
    assert sum(c.new.split().count("month.") for c in diff.changes) == 150
    # The stretch replaced holds at least every year that became a month.
    assert sum(c.old.split().count("year.") for c in diff.changes) >= 150


def test_text_diff_within_budget_is_complete() -> None:
    old, new = _repeated(60, 6)
    diff = diff_texts(old, new)
    assert diff.complete
    assert sum(c.new.split().count("month.") for c in diff.changes) == 10
