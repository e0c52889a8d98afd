"""The README's screenshots, taken from the demo clinic: `SCREENSHOTS=1 pytest tests/browser/
test_readme_screenshots.py` rewrites docs/screenshots/. Skipped otherwise (it writes files)."""

import os

import pytest

from tests.browser.conftest import ROOT, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to retake the README screenshots"),
]

SHOTS = ROOT / "docs" / "screenshots"


def test_therapists_week(page, live_server):
    login(page, live_server, "maya@demo.clinic")
    page.goto(live_server("/calendar/week"))
    page.screenshot(path=str(SHOTS / "therapist-week.png"), full_page=True)

