"""Import spaCy without its command line, for the commands' cold start.

``spacy/__init__.py`` imports ``spacy.cli.info`` (for the public ``spacy.info``), and that
pulls in spaCy's whole command line: typer, weasel, httpx, requests, numpy.f2py... 358 modules
and about 0.17 s of every cold ``analyser check`` on an idle 2-core machine (``import spacy``
0.47 s with it, 0.31 s without; measured with ``python -X importtime``). The analyser uses a
blank pipeline and never that command line.

:func:`import_spacy_without_cli` imports spaCy once with two placeholder modules standing in
for ``spacy.cli`` and ``spacy.cli.info`` during that import only, then removes them, so:

* after it, ``spacy.cli`` is simply not imported yet: ``import spacy.cli`` (or
  ``from spacy.cli import download``) anywhere later imports the real one, as usual;
* ``spacy.info`` is a small function that imports the real ``spacy.cli.info`` on first call;
* if anything goes wrong with the placeholders (a spaCy version whose other modules import
  from ``spacy.cli`` while spaCy loads, say), the placeholders are removed and spaCy is
  imported the normal way: the cost is the time saved, never a failure;
* when spaCy is already imported, or ``ANALYSER_FULL_SPACY_IMPORT`` is set, it does nothing
  special.

Only the commands call it (analyser.cli), before anything imports spaCy; importing the
library (``analyser.pipeline``) leaves spaCy's import as it is. Tested in
tests/test_spacy_import.py (fresh interpreters: a placeholder must never outlive the import).
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import Any

__all__ = ["import_spacy_without_cli"]


def _lazy_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: the real one, imported on first use (spaCy's CLI is not preloaded)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _placeholder_getattr(name: str) -> Any:
    # Any other use of the placeholder while spaCy loads fails loudly, which sends
    # import_spacy_without_cli to its fallback (the normal import).
    raise ImportError(f"spacy.cli placeholder: {name!r} is not available during the import")


def _placeholders() -> dict[str, types.ModuleType]:
    package = types.ModuleType("spacy.cli", "placeholder while spaCy loads (analyser)")
    package.__path__ = []  # a package with no submodules to find
    package.__getattr__ = _placeholder_getattr  # type: ignore[method-assign]
    info = types.ModuleType("spacy.cli.info", "placeholder while spaCy loads (analyser)")
    info.info = _lazy_info  # type: ignore[attr-defined]
    return {"spacy.cli": package, "spacy.cli.info": info}


def import_spacy_without_cli() -> types.ModuleType:
    """Import spaCy (if not yet imported) without its command line; return the module."""
    if "spacy" in sys.modules or os.environ.get("ANALYSER_FULL_SPACY_IMPORT"):
        import spacy

        return spacy
    stubs = _placeholders()
    if any(name in sys.modules for name in stubs):  # not ours: leave the import alone
        import spacy

        return spacy
    sys.modules.update(stubs)
    try:
        import spacy
    except Exception:  # noqa: BLE001 - any failure: the ordinary import, below
        _remove(stubs)
        import spacy  # spaCy's modules that did load are reused; the rest load as usual
    else:
        _remove(stubs)
    if getattr(spacy, "cli", None) is stubs["spacy.cli"]:
        delattr(spacy, "cli")
    _replace_kept_placeholders(stubs)
    return spacy


def _remove(stubs: dict[str, types.ModuleType]) -> None:
    for name, stub in stubs.items():
        if sys.modules.get(name) is stub:
            del sys.modules[name]


def _replace_kept_placeholders(stubs: dict[str, types.ModuleType]) -> None:
    """A spaCy module that kept a reference to a placeholder gets the real module instead.

    spaCy 3.8 has none (only ``spacy.info``, a function); this keeps another version correct.
    """
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "spacy" or name.startswith("spacy.")):
            continue
        for attribute, value in list(vars(module).items()):
            for stub_name, stub in stubs.items():
                if value is stub:
                    setattr(module, attribute, importlib.import_module(stub_name))
