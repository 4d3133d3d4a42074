"""A real browser for end-to-end tests: Debian's chromium driven by Playwright (make test
installs chromium; Playwright downloads nothing), signed in with a session cookie; its
screenshots are left in var/screenshots/ (CI keeps them)."""

import contextlib
import os
from pathlib import Path

from django.conf import settings

from tests.realtime.conftest import session_cookie

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def screenshots_dir() -> Path:
    path = Path(os.environ.get("SCREENSHOTS_DIR", settings.BASE_DIR / "var" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def chromium(monkeypatch):
    """A launched chromium; `browser.page_as(user, base_url, locale=...)` opens a page
    signed in as `user` (a context of its own, so several users can be side by side)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    # Playwright's sync API runs an event loop in this thread; the ORM is still used here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def page_as(user, base_url: str, *, locale: str = "en-GB", viewport=(1280, 900)):
            context = browser.new_context(
                locale=locale, viewport={"width": viewport[0], "height": viewport[1]}
            )
            name, value = session_cookie(user).decode().split("=", 1)
            context.add_cookies([{"name": name, "value": value, "url": base_url}])
            return context.new_page()

        browser.page_as = page_as
        try:
            yield browser
        finally:
            browser.close()
