"""Language detection for the languages agreements arrive in."""

from __future__ import annotations

import pytest

from analyser.language import detect_language, pipeline_language

TEXTS = {
    "en": "The Parties shall cooperate in research and education. "
    "Each Party shall bear its own costs.",
    "nb": "Partene skal samarbeide om forskning og utdanning. Hver part dekker egne kostnader, og "
    "avtalen kan ikke overdras.",
    "nn": "Partane skal samarbeide om forsking og utdanning. "
    "Kvar part dekkjer sine eigne kostnader, "
    "og avtala kan ikkje overdragast frå den eine til den andre.",
    "de": "Die Vertragsparteien verpflichten sich, die Daten nicht an Dritte weiterzugeben und den "
    "Vertrag einzuhalten.",
    "fr": "Les parties s'engagent à respecter la confidentialité des informations et des données "
    "échangées dans le cadre de cet accord.",
    "ja": "本契約は、甲及び乙の間で締結される試料及び情報の分譲に関する契約である。",
}


@pytest.mark.parametrize(("code", "text"), TEXTS.items(), ids=list(TEXTS))
def test_language_detects(code: str, text: str) -> None:
    assert detect_language(text) == code


def test_language_empty_is_undetermined() -> None:
    assert detect_language("1234 5678 — §§") == "und"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("nb", "nb"), ("nn", "nb"), ("en", "en"), ("de", "en")],
    ids=["nb", "nn", "en", "fallback"],
)
def test_language_pipeline_language(code: str, expected: str) -> None:
    assert pipeline_language(code) == expected
