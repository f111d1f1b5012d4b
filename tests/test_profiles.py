"""Tests for analyser/profiles.py and clause_patterns/profiles/*.yaml.

Profiles are how an institution adapts the rules without Python, so the tests cover loading
the shipped ones, what distinguishes ``hkdir`` from ``eu-2024``, a clear error (file and line)
for every kind of mistake, and a user profile that adds its own clause and sees it end to end
in every report format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from analyser.errors import PatternError
from analyser.extract import extract
from analyser.patterns import CLAUSE_IDS
from analyser.pipeline import Analyser
from analyser.profiles import (
    Thresholds,
    apply_required_elements,
    builtin_profile_paths,
    load_profile,
)
from analyser.render import FORMATS, render
from analyser.report import ClauseResult, ElementResult
from analyser.segment import segment

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def test_shipped_profiles_load() -> None:
    assert {"eu-2024", "hkdir"} <= set(builtin_profile_paths())
    for name in builtin_profile_paths():
        profile = load_profile(name)
        assert profile.id == name
        assert tuple(c.id for c in profile.clauses) == CLAUSE_IDS


def test_default_profile_is_eu_2024_with_the_thresholds_of_its_file() -> None:
    profile = load_profile(None)
    assert profile.id == "eu-2024"
    raw = yaml.safe_load(builtin_profile_paths()["eu-2024"].read_text(encoding="utf-8"))
    assert profile.thresholds == Thresholds(**raw["thresholds"])


def test_extends_inherits_what_the_profile_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "derived.yaml"
    path.write_text("id: derived\nextends: hkdir\nred_flags: [lock_in]\n", encoding="utf-8")
    derived, hk = load_profile(str(path)), load_profile("hkdir")
    assert derived.thresholds == hk.thresholds
    assert [c.id for c in derived.clauses] == [c.id for c in hk.clauses]
    assert derived.red_flags == ("lock_in",)


def test_hkdir_differs_from_eu_2024() -> None:
    eu, hk = load_profile("eu-2024"), load_profile("hkdir")
    assert hk.thresholds == eu.thresholds
    assert hk.requirements() == {"data_management": ("results_sharing",)}
    assert eu.requirements() == {}
    assert hk.clause("data_management") == eu.clause("data_management")  # detection unchanged
    [(clause, added)] = hk.added_elements
    assert clause == "data_management" and [e.id for e in added] == ["results_sharing"]
    assert set(hk.red_flags) - set(eu.red_flags) == {"panorama_country"}


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(PatternError, match="eu-2024, hkdir"):
        load_profile("no-such-profile")


def _result(found: bool) -> ClauseResult:
    return ClauseResult(
        "data_management", "Data management", "present", 0.9,
        elements=[ElementResult("results_sharing", "Sharing", found)],
    )


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_required_element_caps_clause_at_partial(lang: str) -> None:
    hk = load_profile("hkdir")
    [capped] = apply_required_elements([_result(False)], hk, lang=lang)
    assert capped.status == "partial"
    expected = "share the research results" if lang == "en" else "dele forskningsresultatene"
    assert expected in (capped.suggestion or "")
    assert apply_required_elements([capped], hk, lang=lang) == [capped]  # twice is harmless
    [kept] = apply_required_elements([_result(True)], hk, lang=lang)
    assert kept.status == "present" and kept.suggestion is None


@pytest.fixture(scope="module")
def hkdir_analyser() -> Analyser:
    return Analyser.for_profile("hkdir")


def _data_management(analyser: Analyser, sample: str) -> ClauseResult:
    document = extract(SAMPLES / sample)
    report = analyser.analyse_document(document)
    clauses = apply_required_elements(report.clauses, analyser.profile, segment(document))
    return next(c for c in clauses if c.id == "data_management")


def test_hkdir_vs_eu_on_a_sample_without_results_sharing(analyser_default,
                                                         hkdir_analyser) -> None:
    eu_dm = _data_management(analyser_default, "dsa-hordafjord-lakeshore.docx")
    hk_dm = _data_management(hkdir_analyser, "dsa-hordafjord-lakeshore.docx")
    assert eu_dm.status == "present"
    assert "results_sharing" not in {e.id for e in eu_dm.elements}
    assert hk_dm.status == "partial"
    assert not next(e for e in hk_dm.elements if e.id == "results_sharing").found
    assert "share the research results" in (hk_dm.suggestion or "")


@pytest.mark.parametrize(
    ("sample", "status", "shared"),
    [("model-nordkyst-capehighlands.docx", "present", True),
     ("mou-nordlys-redriver-nb.pdf", "missing", True),
     ("forskningsavtale-lofoten-litoral-nb.docx", "partial", False)],
    ids=["model-shares", "missing-stays-missing", "norwegian-capped"],
)
def test_hkdir_requirement_only_ever_makes_stricter(analyser_default, hkdir_analyser,
                                                    sample: str, status: str,
                                                    shared: bool) -> None:
    eu_dm = _data_management(analyser_default, sample)
    hk_dm = _data_management(hkdir_analyser, sample)
    assert hk_dm.status == status
    assert next(e for e in hk_dm.elements if e.id == "results_sharing").found is shared
    order = ["missing", "partial", "present"]
    assert order.index(hk_dm.status) <= order.index(eu_dm.status)


# ---------------------------------------------------------------- validation

BASE = """\
id: mine
title: My institution
clauses: [fundamental_values, exit_strategy]
"""

BAD_PROFILES = [
    ("not-a-mapping", "- just\n- a list\n", None, "must be a YAML mapping"),
    ("missing-clauses", "id: mine\ntitle: x\n", 1, "missing key 'clauses'"),
    ("unknown-key", BASE + "requried: [x]\n", 4, "unknown profile key"),
    ("unknown-clause", BASE.replace("exit_strategy", "exit_stratgy"), 3,
     "unknown clause 'exit_stratgy'"),
    ("duplicate-clause", BASE.replace("exit_strategy", "fundamental_values"), 3, "twice"),
    ("unknown-flag", BASE + "red_flags: [lock_in, publication_veto]\n", 4,
     "unknown red flag 'publication_veto'"),
    ("threshold-range", BASE + "thresholds:\n  present: 1.5\n", 5, "between 0 and 1"),
    ("threshold-name", BASE + "thresholds:\n  presnt: 0.5\n", 5, "unknown threshold"),
    ("threshold-type", BASE + "thresholds:\n  present: high\n", 5, "must be numbers"),
    ("require-unknown-element", BASE + "require_elements:\n  exit_strategy: [breach]\n", 5,
     "has no element 'breach'"),
    ("require-clause-not-listed", BASE + "require_elements:\n  ipr: [ownership]\n", 5,
     "not among the profile's clauses"),
    ("element-without-rules",
     BASE + "add_elements:\n  exit_strategy:\n    - id: review\n      title: Review\n", 6,
     "needs 'id' and 'rules'"),
    ("element-bad-rule",
     BASE + "add_elements:\n  exit_strategy:\n    - id: review\n      rules:\n"
            "        - all: [[review]]\n          lang: de\n", 8, "lang must be one of"),
    ("clause-file-missing", BASE + "clause_files: [nowhere.yaml]\n", 4, "'nowhere.yaml' not found"),
    ("invalid-yaml", BASE + "clauses: [a, b\n", 5, "invalid YAML"),
    ("extends-unknown", BASE + "extends: eu-2042\n", 4, "extends: no such profile"),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD_PROFILES],
                         ids=[b[0] for b in BAD_PROFILES])
def test_malformed_profile_names_file_and_line(tmp_path: Path, text: str, line: int | None,
                                               message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatternError) as err:
        load_profile(str(path))
    assert str(path) in str(err.value)
    assert message in str(err.value)
    if line is not None:
        assert f"line {line}:" in str(err.value)


def test_malformed_clause_file_of_a_profile_names_that_file(tmp_path: Path) -> None:
    clause = tmp_path / "own.yaml"
    clause.write_text(CUSTOM_CLAUSE.replace("core: true", "core: true\n    colour: red"),
                      encoding="utf-8")
    profile = tmp_path / "mine.yaml"
    profile.write_text(BASE + "clause_files: [own.yaml]\n", encoding="utf-8")
    with pytest.raises(PatternError) as err:
        load_profile(str(profile))
    assert str(clause) in str(err.value) and "line 7:" in str(err.value)


# ---------------------------------------------------------------- a user's own clause

CUSTOM_CLAUSE = """\
id: export_control
title: {en: Export control compliance, nb: Etterlevelse av eksportkontroll}
guidance: >-
  Our institution requires every agreement to commit both parties to export-control law.
source: Fjordvik University research-security policy (2025)
elements:
  - id: compliance
    core: true
    title: {en: Both parties comply with export-control rules, nb: Begge følger eksportkontroll}
    rules:
      - all: [["export control*", "export administration regulations"]]
        lang: en
      - all: [[eksportkontroll*]]
        lang: nb
suggestion:
  en: Each Party shall comply with the export control laws and regulations that apply to it.
  nb: Hver part skal overholde de eksportkontrollreglene som gjelder for den.
"""

CUSTOM_PROFILE = """\
id: fjordvik-policy
title: Fjordvik University policy
clauses: [fundamental_values, academic_freedom, reciprocity, ipr, data_management,
          exit_strategy, export_control]
clause_files: [clauses/export_control.yaml]
red_flags: [publication_approval, lock_in]
"""


@pytest.fixture(scope="module")
def custom_analyser(tmp_path_factory: pytest.TempPathFactory) -> Analyser:
    root = tmp_path_factory.mktemp("institution")
    (root / "clauses").mkdir()
    (root / "clauses" / "export_control.yaml").write_text(CUSTOM_CLAUSE, encoding="utf-8")
    (root / "fjordvik.yaml").write_text(CUSTOM_PROFILE, encoding="utf-8")
    return Analyser.for_profile(str(root / "fjordvik.yaml"))


def test_custom_profile_loads_own_clause_and_flags(custom_analyser: Analyser) -> None:
    profile = custom_analyser.profile
    assert profile.id == "fjordvik-policy"
    assert [c.id for c in profile.clauses][-1] == "export_control"
    assert profile.red_flags == ("publication_approval", "lock_in")


@pytest.mark.parametrize(
    ("sample", "status"),
    [("collab-lakeshore-bremnes.txt", "present"), ("mou-fjordvik-kilimani.txt", "missing")],
    ids=["mentions-export-control", "silent-on-export-control"],
)
def test_custom_clause_end_to_end_in_every_format(custom_analyser: Analyser, sample: str,
                                                  status: str) -> None:
    report = custom_analyser.analyse_path(SAMPLES / sample)
    assert report.profile == "fjordvik-policy"
    own = next(c for c in report.clauses if c.id == "export_control")
    assert own.status == status
    if status == "present":
        assert "export control" in own.evidence[0].text.lower()
    else:
        assert own.suggestion and "export control laws" in own.suggestion
    for fmt in FORMATS:
        out = render(report, fmt)
        if fmt == "json":
            data = json.loads(out)
            listed = data["clauses"] + data.get("extra_clauses", [])
            entry = next(c for c in listed if c["id"] == "export_control")
            assert entry["status"] == status
        else:
            assert "Export control compliance" in out, fmt
