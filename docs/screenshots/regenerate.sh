#!/bin/sh
# Regenerate the README screenshots from the current pages: the Chromium tests drive a real
# server and save each picture here (ANALYSER_SCREENSHOTS). Needs /usr/bin/chromium.
set -e
cd "$(dirname "$0")/../.."
ANALYSER_SCREENSHOTS=docs/screenshots python -m pytest -q -p no:cacheprovider \
    tests/test_web_browser.py -k "upload_read_report or two_versions or accessible or norwegian_report or document_view or redline"
ANALYSER_SCREENSHOTS=docs/screenshots python -m pytest -q -p no:cacheprovider \
    tests/test_batch.py -k "batch_summary_fits"
