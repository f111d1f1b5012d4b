"""Tests for analyser/redflags.py and clause_patterns/red_flags.yaml / countries.yaml.

Each flag is checked on short texts (fires, stays silent on ordinary wording, stays silent
when negated, fires on Norwegian) and on the samples: it fires on the sample written for it
(samples/redflags/) and on the deliberately worrying joint-lab sample, and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.errors import PatternError
from analyser.extract import extract, extract_bytes
from analyser.profiles import load_profile
from analyser.redflags import detect_red_flags, load_countries, load_flag_file, load_flag_set
from analyser.report import ClauseResult, ElementResult
from analyser.segment import segment

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
EU = load_profile("eu-2024")
HKDIR = load_profile("hkdir")


def flags_in(text: str, profile=EU, clause_results=None) -> dict[str, set[str]]:
    """Flag id -> the signals whose sentences were quoted."""
    segmented = segment(extract_bytes(text.encode("utf-8"), "draft.txt"))
    return {
        f.id: {ev.element for ev in f.evidence}
        for f in detect_red_flags(segmented, profile, clause_results)
    }


# (flag, positive, negative, negated, Norwegian)
CASES = [
    (
        "publication_approval",
        "No Party shall publish results without the prior written approval of the other Party.",
        "Each Party may publish its results after giving the other Party 30 days' notice.",
        "Publication of results shall not be subject to the prior approval of the other Party.",
        "Ingen av partene kan publisere resultater uten forhåndsgodkjenning fra den andre parten.",
    ),
    (
        "one_sided_ip",
        "All Results shall be the sole and exclusive property of the Institute.",
        "Each Party owns the Results it generates; joint Results are jointly owned.",
        "Neither Party shall assign its Results to the other Party.",
        "Alle resultater fra prosjektet tilhører utelukkende instituttet, og partneren har "
        "ingen rettigheter til dem.",
    ),
    (
        "data_transfer_abroad",
        "Personal data collected in Norway will be transferred abroad to the partner for analysis.",
        "Personal data will be transferred abroad only under the standard contractual clauses.",
        "Personal data shall not be transferred abroad.",
        "Blodprøver og personopplysninger skal overføres til utlandet for analyse.",
    ),
    (
        "country_of_concern",
        "This Agreement is governed by the laws of the Russian Federation.",
        "This Agreement is governed by Norwegian law.",
        "The fieldwork will not be carried out in Iran.",
        "Avtalen reguleres av kinesisk rett.",
    ),
    (
        "dual_use_field",
        "The project develops hypersonic propulsion components.",
        "The project studies the history of Nordic literature.",
        "The cooperation does not cover nuclear or military research.",
        "Prosjektet skal utvikle kvantedatamaskiner, og partene skal dele utstyret mellom seg.",
    ),
    (
        "foreign_obligations",
        "Visiting researchers shall join the partner's talent programme.",
        "Visiting researchers shall follow the host institution's safety rules.",
        "No researcher shall be required to join any talent programme.",
        "Forskerne skal delta i instituttets talentprogram.",
    ),
    (
        "lock_in",
        "This Agreement is automatically renewed for further periods of five years.",
        "This Agreement may be renewed by written agreement of the Parties.",
        "This Agreement shall not be automatically renewed.",
        "Avtalen fornyes automatisk for nye perioder på fem år.",
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("flag", "positive", "_n", "_x", "_nb"), CASES, ids=IDS)
def test_flag_fires_on_positive(flag: str, positive: str, _n: str, _x: str, _nb: str) -> None:
    assert set(flags_in(positive)) == {flag}


@pytest.mark.parametrize(("flag", "_p", "negative", "_x", "_nb"), CASES, ids=IDS)
def test_flag_silent_on_ordinary_wording(flag: str, _p: str, negative: str, _x: str,
                                         _nb: str) -> None:
    assert flags_in(negative) == {}


@pytest.mark.parametrize(("flag", "_p", "_n", "negated", "_nb"), CASES, ids=IDS)
def test_flag_silent_when_negated(flag: str, _p: str, _n: str, negated: str, _nb: str) -> None:
    assert flags_in(negated) == {}


@pytest.mark.parametrize(("flag", "_p", "_n", "_x", "norwegian"), CASES, ids=IDS)
def test_flag_fires_on_norwegian(flag: str, _p: str, _n: str, _x: str, norwegian: str) -> None:
    found = flags_in(norwegian)
    assert set(found) == {flag}


def test_flag_title_and_why_follow_document_language() -> None:
    segmented = segment(extract_bytes(CASES[0][4].encode(), "utkast.txt"))
    [flag] = detect_red_flags(segmented, EU)
    assert flag.title.startswith("Publisering krever")
    assert "Hva du bør sjekke:" in (flag.why or "")


def test_flag_evidence_is_verbatim_with_location() -> None:
    text = "1. Publication\n\n1.1 Results may be published only with the prior written consent " \
           "of the Institute.\n"
    segmented = segment(extract_bytes(text.encode(), "draft.txt"))
    [flag] = detect_red_flags(segmented, EU)
    [ev] = flag.evidence
    assert ev.text in segmented.document.text
    assert segmented.document.text[ev.start:ev.end] == ev.text
    assert ev.section == "1.1"
    assert ev.element == "prior_approval"


def test_confidential_results_need_no_carve_out() -> None:
    assert flags_in("All results of the project shall be kept confidential.") == {
        "publication_approval": {"confidential_all_results"}
    }
    carved = ("All results of the project shall be kept confidential. "
              "Each Party has the right to publish its results.")
    assert flags_in(carved) == {}


def test_undisclosed_funding_and_government_duties() -> None:
    assert flags_in("The identity of the project's sponsors is confidential.") == {
        "foreign_obligations": {"undisclosed_funding"}
    }
    assert flags_in(
        "Visiting researchers shall report to the Ministry of State Security on request."
    ) == {"foreign_obligations": {"government_obligations"}}


def test_licence_to_government_or_affiliates() -> None:
    found = flags_in("The Partner may grant licences to its affiliated entities.")
    assert found == {"one_sided_ip": {"licence_to_government_or_affiliates"}}


def test_host_country_law_is_a_prompt_to_find_the_country() -> None:
    found = flags_in("This Agreement is governed by the laws of the host country.")
    assert found == {"country_of_concern": {"host_country_law_or_forum"}}


def test_dual_use_silent_when_agreement_deals_with_export_control() -> None:
    assert "dual_use_field" in flags_in("The Parties will test drones over the fjord.")
    handled = ("The Parties will test drones over the fjord. Each Party shall comply with the "
               "export control regulations that apply to it.")
    assert flags_in(handled) == {}


def test_lock_in_no_end_date() -> None:
    assert flags_in("This Agreement shall remain in force indefinitely.") == {
        "lock_in": {"no_end_date"}
    }


def test_lock_in_renewal_after_review_is_fine() -> None:
    text = ("8. Duration\n8.1 This Agreement is automatically renewed for five years after a "
            "joint review of the cooperation by the Parties.\n")
    assert flags_in(text) == {}


RENEWAL_NOTICE = ("This Agreement is automatically renewed for further periods of five years. "
                  "Either Party may terminate this Agreement with six months' notice.")


def test_no_exit_on_breach_only_with_lock_in() -> None:
    assert flags_in(RENEWAL_NOTICE) == {"lock_in": {"automatic_renewal", "no_exit_on_breach"}}
    # notice-only termination on its own is the exit-strategy clause's gap, not a red flag
    assert flags_in("Either Party may terminate this Agreement with six months' notice.") == {}
    with_breach = RENEWAL_NOTICE + (" Either Party may terminate this Agreement with immediate "
                                    "effect if the other Party materially breaches it.")
    assert flags_in(with_breach) == {"lock_in": {"automatic_renewal"}}


@pytest.mark.parametrize("breach_found", [True, False], ids=["breach-found", "no-breach"])
def test_no_exit_on_breach_defers_to_exit_strategy_result(breach_found: bool) -> None:
    exit_result = ClauseResult(
        "exit_strategy", "Exit strategy", "present" if breach_found else "partial", 0.9,
        elements=[ElementResult("breach_trigger", "Breach", breach_found, True)],
    )
    found = flags_in(RENEWAL_NOTICE, clause_results=[exit_result])
    assert ("no_exit_on_breach" in found["lock_in"]) is not breach_found


def test_panorama_flag_only_where_the_profile_names_it() -> None:
    text = "Kansai Prefectural University, Osaka, Japan, is the partner university."
    assert flags_in(text, EU) == {}
    assert flags_in(text, HKDIR) == {"panorama_country": {"panorama_country"}}


def test_every_flag_cites_guidance_in_both_languages() -> None:
    flags = load_flag_set().flags
    for spec in flags.values():
        assert {"en", "nb"} <= set(spec.title) and {"en", "nb"} <= set(spec.why)
        assert any(tag in spec.why["en"] for tag in ("EU §14", "HK-dir", "OsloMet"))


def test_countries_file_names_its_source_and_lists() -> None:
    countries = load_countries(REPO / "clause_patterns" / "countries.yaml")
    threat = countries["threat_assessment"]
    for name in ("china", "kina", "russia", "russland", "iran", "pakistan",
                 "people's republic of china"):
        assert name in threat["names"]
    assert {"chinese", "kinesisk", "russian", "russisk"} <= set(threat["adjectives"])
    assert "usa" in countries["panorama"]["names"] and "usa" not in threat["names"]


# ---------------------------------------------------------------- validation


def _write(tmp_path: Path, flags_yaml: str, countries: bool = True) -> Path:
    if countries:
        (tmp_path / "countries.yaml").write_text(
            "source: test\nlists:\n  mine:\n    countries:\n      - names: {en: [Atlantis]}\n",
            encoding="utf-8",
        )
    path = tmp_path / "flags.yaml"
    path.write_text(flags_yaml, encoding="utf-8")
    return path


GOOD_FLAG = """\
flags:
  - id: atlantis
    title: {en: Atlantis, nb: Atlantis}
    severity: high
    why: {en: why, nb: hvorfor}
    signals:
      - id: named
        rules:
          - all: [["@mine"]]
"""

BAD_FLAGS = [
    ("severity", GOOD_FLAG.replace("severity: high", "severity: urgent"), 2, "severity"),
    ("country-list", GOOD_FLAG.replace("@mine", "@nowhere"), 9, "unknown country list"),
    ("rule-key", GOOD_FLAG.replace('- all: [["@mine"]]', '- al: [["@mine"]]'), 9, "'all'"),
    ("unless-found", GOOD_FLAG.replace("      - id: named\n",
                                       "      - id: named\n        unless_found: [x]\n"),
     2, "unless_found 'x'"),
    ("signal-key",
     GOOD_FLAG.replace("      - id: named\n", "      - id: named\n        lang: en\n"),
     7, "unknown key"),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD_FLAGS],
                         ids=[b[0] for b in BAD_FLAGS])
def test_malformed_flag_file_names_file_and_line(tmp_path: Path, text: str, line: int,
                                                 message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PatternError) as err:
        load_flag_file(path)
    assert str(path) in str(err.value)
    assert f"line {line}:" in str(err.value)
    assert message in str(err.value)


def test_custom_flag_file_with_own_country_list(tmp_path: Path) -> None:
    flags, _labels = load_flag_file(_write(tmp_path, GOOD_FLAG))
    assert flags["atlantis"].signals[0].rules[0].groups == (("atlantis",),)


# ---------------------------------------------------------------- samples

REDFLAG_SAMPLES = {
    "publication-approval-vestby-altamira.txt": {"publication_approval"},
    "one-sided-ip-grenland-rheinwerk.txt": {"one_sided_ip"},
    "data-abroad-sorlandet-kilimani.txt": {"data_transfer_abroad"},
    "country-concern-tromso-donghai.txt": {"country_of_concern"},
    "dual-use-nordvik-delft.txt": {"dual_use_field"},
    "talent-programme-bergen-saltmarsh.txt": {"foreign_obligations"},
    "lock-in-innlandet-laane-nb.txt": {"lock_in"},
    "panorama-hamar-kansai.txt": set(),  # panorama_country is not an eu-2024 flag
}
JOINTLAB = {
    "publication_approval", "one_sided_ip", "data_transfer_abroad", "country_of_concern",
    "dual_use_field", "foreign_obligations", "lock_in",
}


def _main_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in {".txt", ".pdf", ".docx"})


def expected_flags(path: Path) -> set[str]:
    if path.parent.name == "redflags":
        return REDFLAG_SAMPLES[path.name]
    return JOINTLAB if path.stem == "jointlab-fjellheim-novameridian" else set()


ALL_SAMPLES = _main_samples() + sorted((SAMPLES / "redflags").glob("*.txt"))


def test_every_flag_has_its_own_sample() -> None:
    written_for = set().union(*REDFLAG_SAMPLES.values())
    assert written_for == set(EU.red_flags or ())
    assert set(REDFLAG_SAMPLES) == {p.name for p in (SAMPLES / "redflags").glob("*.txt")}


@pytest.mark.parametrize("path", ALL_SAMPLES,
                         ids=[f"{p.parent.name}/{p.name}" for p in ALL_SAMPLES])
def test_samples_fire_exactly_their_flags(analyser_default, path: Path) -> None:
    document = extract(path)
    clauses = analyser_default.analyse_document(document).clauses
    flags = detect_red_flags(segment(document), EU, clauses)
    assert {f.id for f in flags} == expected_flags(path)
    for flag in flags:
        assert flag.evidence and all(ev.text in document.text for ev in flag.evidence)


def test_jointlab_pdf_quotes_the_worrying_terms(analyser_default) -> None:
    document = extract(SAMPLES / "jointlab-fjellheim-novameridian.pdf")
    clauses = analyser_default.analyse_document(document).clauses
    flags = {f.id: f for f in detect_red_flags(segment(document), EU, clauses)}
    quoted = {f: " ".join(ev.text for ev in flag.evidence) for f, flag in flags.items()}
    assert "prior written approval of the Institute" in quoted["publication_approval"]
    assert "sole and exclusive property of the Institute" in quoted["one_sided_ip"]
    assert "talent programme" in quoted["foreign_obligations"]
    assert "laws of the host country" in quoted["country_of_concern"]
    assert {ev.element for ev in flags["lock_in"].evidence} == {
        "automatic_renewal", "no_exit_on_breach"
    }


def test_panorama_sample_fires_only_under_hkdir() -> None:
    segmented = segment(extract(SAMPLES / "redflags" / "panorama-hamar-kansai.txt"))
    assert detect_red_flags(segmented, EU) == []
    assert [f.id for f in detect_red_flags(segmented, HKDIR)] == ["panorama_country"]
