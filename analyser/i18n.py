"""Interface wording per language: the labels of web pages and HTML reports, as data.

Labels live in ``analyser/templates/messages/<lang>.yaml`` (English and Norwegian Bokmål), not
in templates, so a translator edits one file and a test can check that a Norwegian page shows
no English label. Every file must hold exactly the keys of ``en.yaml`` (checked on load), so a
missing translation fails at start-up rather than showing a blank on an adviser's page.

The interface language follows the document (a Norwegian agreement gets a Norwegian page)
unless the user chose one; the agreement's own text and the suggested wording always keep the
document's language, since that wording is meant for the partner, not for the adviser.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from analyser.errors import PatternError

UI_LANGUAGES: tuple[str, ...] = ("en", "nb")
_NORWEGIAN = frozenset({"nb", "nn", "no"})


def ui_language(document_language: str | None, requested: str | None = None) -> str:
    """The interface language: ``requested`` when it is one we have, else the document's."""
    if requested in UI_LANGUAGES:
        return str(requested)
    return "nb" if document_language in _NORWEGIAN else "en"


def html_lang(language: str | None) -> str:
    """A BCP 47 tag for a ``lang`` attribute ("nb", "nn", "en"); "und" when unknown."""
    return language if language and language.isalpha() and len(language) <= 3 else "und"


def _messages_dir() -> Path:
    return Path(str(resources.files("analyser.templates"))) / "messages"


def _shape(node: Any, prefix: str = "") -> set[str]:
    """Dotted key paths of the leaves, so two files can be compared key for key."""
    if isinstance(node, dict):
        keys: set[str] = set()
        for key, value in node.items():
            keys |= _shape(value, f"{prefix}{key}.")
        return keys
    return {prefix.rstrip(".")}


@lru_cache(maxsize=len(UI_LANGUAGES))
def messages(lang: str) -> dict[str, Any]:
    """The labels for ``lang`` (a key of :data:`UI_LANGUAGES`), validated against English."""
    from analyser.patterns import load_yaml_file

    if lang not in UI_LANGUAGES:
        raise PatternError(f"no interface messages for language {lang!r}")
    path = _messages_dir() / f"{lang}.yaml"
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise PatternError("messages must be a mapping", str(path))
    # Templates write t.report.copy; jinja2 looks up attributes before keys, so a key named
    # like a dict method ("copy", "items", "clear") would print the method, not the label.
    clashes = sorted(k for k in _shape(data) if set(k.split(".")) & set(dir(dict)))
    if clashes:
        raise PatternError(f"keys named like dict methods: {clashes}", str(path))
    if lang != "en":
        expected, found = _shape(messages("en")), _shape(data)
        if expected != found:
            missing = sorted(expected - found)[:5]
            extra = sorted(found - expected)[:5]
            raise PatternError(
                f"keys differ from en.yaml (missing {missing}, extra {extra})", str(path)
            )
    return data
