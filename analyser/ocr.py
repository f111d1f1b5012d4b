"""Optical character recognition for scanned PDFs, only when the user asks (``--ocr``).

OCR is slow (seconds per page) and can misread, so the analyser never runs it by itself: a
PDF without a text layer is an error that says "run OCR first", and ``--ocr`` runs
``ocrmypdf`` (Tesseract, English and Norwegian) on a temporary copy. Quotes in the report then
come from recognised text, which the report says in a warning.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from analyser.document import Document
from analyser.errors import OcrFailed
from analyser.limits import Limits

OCR_LANGUAGES = "eng+nor"
INSTALL_HINT = "Debian: apt-get install ocrmypdf tesseract-ocr-eng tesseract-ocr-nor"
OCR_TIME_FACTOR = 10  # OCR takes seconds per page; parsing gets --max-seconds, OCR ten times it
OCR_WARNING = "text obtained by OCR (ocrmypdf/Tesseract): check quotes against the original"


def ocr_available() -> bool:
    return shutil.which("ocrmypdf") is not None


def extract_with_ocr(path: Path, limits: Limits | None = None, *, force: bool = False) -> Document:
    """Recognise the text of a scanned PDF and extract it as if it had a text layer.

    ``force`` recognises every page, replacing the text layer that is there (ocrmypdf
    ``--force-ocr``): for a PDF whose text layer says other words than its glyphs show.
    Otherwise pages that have text keep it (``--skip-text``).

    The returned document keeps the original file's name, path and SHA-256, so reports and
    batch resumption refer to what the user gave, not to the temporary OCR output.
    """
    from analyser.isolation import extract_isolated

    if not ocr_available():
        raise OcrFailed(f"OCR requested but ocrmypdf is not installed ({INSTALL_HINT})", str(path))
    limits = limits or Limits.from_env()
    budget = limits.max_seconds * OCR_TIME_FACTOR
    with tempfile.TemporaryDirectory(prefix="analyser-ocr-") as tmp:
        output = Path(tmp) / "ocr.pdf"
        command = [
            "ocrmypdf",
            "--force-ocr" if force else "--skip-text",
            "--quiet",
            "--output-type",
            "pdf",
            "--language",
            OCR_LANGUAGES,
            str(path),
            str(output),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=budget,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise OcrFailed(f"OCR timed out after {budget:.0f} s", str(path)) from e
        if done.returncode != 0 or not output.exists():
            first = next((line for line in done.stderr.splitlines() if line.strip()), "no output")
            raise OcrFailed(
                f"OCR failed (ocrmypdf exit {done.returncode}: {first.strip()})", str(path)
            )
        document = extract_isolated(output, limits)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return replace(
        document,
        name=path.name,
        path=str(path),
        sha256=sha256,
        warnings=[*document.warnings, OCR_WARNING],
    )
