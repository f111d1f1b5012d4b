"""Tests for analyser/i18n.py: interface labels as data, one file per language."""

from __future__ import annotations

import pytest

from analyser import i18n
from analyser.errors import PatternError


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), node


def test_i18n_every_language_has_every_label() -> None:
    english = dict(_leaves(i18n.messages("en")))
    for lang in i18n.UI_LANGUAGES:
        labels = dict(_leaves(i18n.messages(lang)))
        assert labels.keys() == english.keys(), lang
        empty = [k for k, v in labels.items() if not v and not k.startswith("clause_guidance.")]
        assert empty == [], lang


def test_i18n_placeholders_match_across_languages() -> None:
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    english = dict(_leaves(i18n.messages("en")))
    for key, value in _leaves(i18n.messages("nb")):
        assert set(placeholder.findall(value)) == set(placeholder.findall(english[key])), key


@pytest.mark.parametrize(
    ("document", "requested", "expected"),
    [
        ("nb", None, "nb"),
        ("nn", None, "nb"),
        ("en", None, "en"),
        ("de", None, "en"),
        ("nb", "en", "en"),
        ("en", "nb", "nb"),
        ("en", "fr", "en"),
        (None, None, "en"),
    ],
    ids=[
        "bokmal",
        "nynorsk",
        "english",
        "other",
        "chosen-en",
        "chosen-nb",
        "unknown-choice",
        "no-language",
    ],
)
def test_i18n_ui_language(document, requested, expected) -> None:
    assert i18n.ui_language(document, requested) == expected


def test_i18n_rejects_key_named_like_a_dict_method(tmp_path, monkeypatch) -> None:
    """jinja2 reads t.report.copy as dict.copy; such a key must fail on load."""
    (tmp_path / "en.yaml").write_text('report:\n  copy: "Copy"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_messages_dir", lambda: tmp_path)
    i18n.messages.cache_clear()
    try:
        with pytest.raises(PatternError, match="dict methods"):
            i18n.messages("en")
    finally:
        i18n.messages.cache_clear()


def test_i18n_rejects_a_missing_translation(tmp_path, monkeypatch) -> None:
    (tmp_path / "en.yaml").write_text('a: "A"\nb: "B"\n', encoding="utf-8")
    (tmp_path / "nb.yaml").write_text('a: "A"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_messages_dir", lambda: tmp_path)
    i18n.messages.cache_clear()
    try:
        with pytest.raises(PatternError, match="missing"):
            i18n.messages("nb")
    finally:
        i18n.messages.cache_clear()


@pytest.mark.parametrize("lang", i18n.UI_LANGUAGES, ids=list(i18n.UI_LANGUAGES))
def test_i18n_names_every_hidden_reason_and_skipped_kind(lang) -> None:
    """A reason or kind the extractors can give must have words in every language."""
    from typing import get_args

    from analyser.document import HiddenReason, SkippedKind

    labels = i18n.messages(lang)
    assert set(labels["hidden_reasons"]) == set(get_args(HiddenReason))
    assert set(labels["skipped_kinds"]) == set(get_args(SkippedKind))
