"""Playwright driving the machine's Chromium against pytest-django's live server.

Screenshots land in test-artifacts/screenshots/ (override with SCREENSHOT_DIR)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core import mail

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    )
)
# Flags for a sandboxed, offline machine: no background calls to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app(live_server: object, settings: object) -> str:
    """The live server's base URL, with emails linking back to it."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_page(browser: object) -> Iterator[Callable[..., object]]:
    """new_page(width=1280, height=860) -> a page in a fresh browser context."""
    contexts = []

    def make(width: int = 1280, height: int = 860) -> object:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[object, str], Path]:
    """shot(page, "name") saves a full-page screenshot named after the test."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = request.node.name

    def take(page: object, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def last_link_to(recipient: str, pattern: str) -> str:
    """The first URL matching `pattern` in the newest email sent to `recipient`."""
    messages = [m for m in mail.outbox if recipient in m.to]
    assert messages, f"no email was sent to {recipient}"
    match = re.search(rf"https?://\S*{pattern}\S*", messages[-1].body)
    assert match, f"no link matching {pattern!r} in: {messages[-1].body}"
    return match.group(0)
