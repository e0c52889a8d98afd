"""Browser tests: Playwright driving Debian's Chromium against a live, demo-seeded server.

Without Chromium (or Playwright) these tests skip with the reason, except under CI=true,
where that is a failure. Every page a test opens is also watched for console errors, and
`assert_accessible` runs axe-core (from node_modules, installed by `make test`).
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from clinic import create_app
from clinic.extensions import db
from tests.conftest import IN_CI, PRIMARY_BACKEND, make_test_config, scratch_database

ROOT = Path(__file__).resolve().parents[2]
# Retaking the README's screenshots is a chore, not a test: collected only when asked for, so a
# normal run (and CI) has nothing skipped.
collect_ignore = [] if os.environ.get("SCREENSHOTS") else ["test_readme_screenshots.py"]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        _unavailable("No Chromium found (Debian package 'chromium').")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"Playwright is not installed: {error}")
    if not AXE_SOURCE.exists():
        _unavailable(f"axe-core missing at {AXE_SOURCE}; run `npm ci`.")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server():
    """The real app (CSRF on) on a demo-seeded database, served from a thread."""
    with scratch_database(PRIMARY_BACKEND) as url:
        config = make_test_config(url, WTF_CSRF_ENABLED=True)
        app = create_app(config)
        with app.app_context():
            from clinic.demo import seed_demo_clinic

            db.create_all()
            seed_demo_clinic()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _open_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.set_default_timeout(10_000)
    return context, page, problems


@pytest.fixture
def page(browser):
    """A desktop-sized page; the test fails if the page logged any console error."""
    context, page, problems = _open_page(browser, DESKTOP)
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (375 px wide), also failing on console errors."""
    context, page, problems = _open_page(browser, PHONE)
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


def login(page, live_server, email: str, password: str | None = None) -> None:
    from clinic.demo import DEMO_PASSWORD

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login failed for {email}"


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violations on the current page."""
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in serious
    ]
    assert serious == [], "\n".join(details)


def assert_fits_phone_width(page) -> None:
    """Nothing makes the page scroll sideways at phone width (wide tables scroll in their box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the viewport"


def main_menu(page):
    """The main navigation, opening the phone's "Menu" button first when that is how it shows."""
    button = page.locator("summary.nav-menu-button")
    if button.is_visible() and page.locator("details.nav-menu").get_attribute("open") is None:
        button.click()
    return page.get_by_role("navigation", name="Main")
