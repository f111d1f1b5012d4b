"""Tests for analyser/risk.py: the profile's risk rule, its validation, and risk in reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.document import Document, join_blocks
from analyser.errors import PatternError
from analyser.profiles import load_profile
from analyser.report import ClauseResult, RedFlag
from analyser.risk import DEFAULT_RISK_RULE, parse_risk_rule

IDS = [
    "fundamental_values",
    "academic_freedom",
    "reciprocity",
    "ipr",
    "data_management",
    "exit_strategy",
]


def _clauses(missing: int = 0, partial: int = 0) -> list[ClauseResult]:
    statuses = ["missing"] * missing + ["partial"] * partial
    statuses += ["present"] * (len(IDS) - len(statuses))
    return [ClauseResult(i, i, s, 0.9) for i, s in zip(IDS, statuses, strict=True)]  # type: ignore[arg-type]


def _flags(*severities: str) -> list[RedFlag]:
    return [RedFlag(f"f{i}", "t", s) for i, s in enumerate(severities)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("clauses", "flags", "risk"),
    [
        (_clauses(), _flags(), "low"),
        (_clauses(), _flags("low"), "low"),
        (_clauses(), _flags("high"), "high"),
        (_clauses(missing=0, partial=1), _flags("high"), "high"),
        (_clauses(), _flags("low", "low", "medium"), "high"),
        (_clauses(), _flags("medium"), "medium"),
        (_clauses(missing=1), _flags(), "medium"),
        (_clauses(partial=3), _flags(), "medium"),
        (_clauses(partial=2), _flags("low"), "low"),
    ],
    ids=[
        "clean",
        "low-flag",
        "high-flag",
        "high-flag-gaps",
        "three-flags",
        "medium-flag",
        "one-missing",
        "three-partial",
        "two-partial",
    ],
)
def test_risk_default_rule(clauses, flags, risk):
    assert DEFAULT_RISK_RULE.assess(clauses, flags) == risk


def test_risk_shipped_profiles_have_a_rule_and_a_high_flag_makes_risk_high():
    for name in ("eu-2024", "hkdir"):
        rule = load_profile(name).risk
        assert rule.assess(_clauses(), _flags("high")) == "high"


def test_risk_condition_needs_all_its_keys():
    rule = parse_risk_rule(
        Path("p.yaml"),
        {"high": [{"missing_any_of": ["exit_strategy"], "red_flag_severity": "medium"}]},
        set(IDS),
    )
    exit_missing = [
        c if c.id != "exit_strategy" else ClauseResult(c.id, c.title, "missing", 1.0)
        for c in _clauses()
    ]
    assert rule.assess(exit_missing, _flags()) == "low"
    assert rule.assess(_clauses(), _flags("medium")) == "low"
    assert rule.assess(exit_missing, _flags("high")) == "high"


def test_risk_contradicted_clause_condition():
    rule = parse_risk_rule(Path("p.yaml"), {"medium": [{"contradicted_any_of": ["ipr"]}]}, set(IDS))
    clauses = _clauses()
    assert rule.assess(clauses, []) == "low"
    clauses[3].flags = ["one_sided_ip"]
    assert rule.assess(clauses, []) == "medium"


PROFILE = """id: strict
clauses: [fundamental_values, academic_freedom, reciprocity, ipr, data_management, exit_strategy]
risk:
{risk}
"""


@pytest.mark.parametrize(
    ("risk", "message"),
    [
        ("  severe:\n    - red_flag_severity: high", "unknown level"),
        ("  high:\n    - red_flag_severity: critical", "red_flag_severity must be one of"),
        ("  high:\n    - missing_at_least: 0", "whole number"),
        ("  high:\n    - missing_at_least: yes", "whole number"),
        ("  high:\n    - missing_any_of: [exit]", "not among the profile's clauses"),
        ("  high:\n    - too_many_flags: 2", "unknown key"),
        ("  high:\n    - high", "each condition must be a mapping"),
        ("  high: []", "at least one condition"),
    ],
    ids=["level", "severity", "zero", "bool", "clause", "key", "not-mapping", "empty"],
)
def test_risk_rule_is_validated_when_the_profile_loads(tmp_path, risk, message):
    path = tmp_path / "strict.yaml"
    path.write_text(PROFILE.format(risk=risk), encoding="utf-8")
    with pytest.raises(PatternError, match=message) as info:
        load_profile(str(path))
    assert "strict.yaml" in str(info.value)


def test_risk_rule_of_an_institution_changes_the_verdict(tmp_path):
    path = tmp_path / "strict.yaml"
    path.write_text(PROFILE.format(risk="  high:\n    - missing_at_least: 1"), encoding="utf-8")
    rule = load_profile(str(path)).risk
    assert rule.assess(_clauses(missing=1), []) == "high"
    assert rule.assess(_clauses(), _flags("high")) == "low"  # this institution's choice


def test_risk_derived_profile_inherits_its_base_rule(tmp_path):
    path = tmp_path / "derived.yaml"
    path.write_text("id: derived\nextends: eu-2024\n", encoding="utf-8")
    assert load_profile(str(path)).risk == load_profile("eu-2024").risk


FOUR_HIGH_FLAGS = [
    "Article 4 Publications",
    "Any publication of results requires the prior written approval of the Partner.",
    "Article 6 Results",
    "All results and inventions shall be the sole and exclusive property of the Partner.",
    "Article 7 Data",
    "The University shall store all research data securely and protect personal data in "
    "accordance with the GDPR.",
    "All data generated in the project shall be transferred to and stored exclusively on the "
    "Partner's servers abroad.",
    "Article 9 Obligations",
    "The researchers shall participate in the Partner's national talent programme and report "
    "to its government.",
]


def test_risk_high_red_flags_make_the_report_high_and_the_clause_carries_the_flag(
    analyser_default,
):
    text, blocks = join_blocks([(p, 1, "paragraph", None, None) for p in FOUR_HIGH_FLAGS])
    report = analyser_default.analyse_document(
        Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)
    )
    assert any(f.severity == "high" for f in report.red_flags)
    assert report.risk == "high"
    assert report.to_dict()["risk"] == "high"
    raised = {f.id for f in report.red_flags}
    by_id = {c.id: c for c in report.clauses}
    for flag_id, clause_id in [
        ("data_transfer_abroad", "data_management"),
        ("one_sided_ip", "ipr"),
        ("publication_approval", "academic_freedom"),
    ]:
        if flag_id in raised:
            assert flag_id in by_id[clause_id].flags
    assert "data_transfer_abroad" in raised
    assert by_id["data_management"].flags == ["data_transfer_abroad"]


def test_risk_clean_agreement_is_low(analyser_default):
    paragraphs = [
        "The Parties shall respect academic freedom, human rights and research integrity.",
        "Each Party remains free to publish its results, notwithstanding any other provision.",
        "The cooperation is based on reciprocity, equality and mutual benefit.",
        "Each Party owns the Results it generates and grants the other a royalty-free licence "
        "for research.",
        "Personal data shall be processed in accordance with the GDPR and research data "
        "stored securely.",
        "Either Party may terminate this Agreement if the other Party breaches it.",
    ]
    text, blocks = join_blocks([(p, 1, "paragraph", None, None) for p in paragraphs])
    report = analyser_default.analyse_document(
        Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)
    )
    assert not report.red_flags
    assert report.risk == "low"
