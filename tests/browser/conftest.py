"""Playwright driving the machine's Chromium against pytest-django's live server.

Every page a `new_page` loads is checked with axe-core (WCAG 2 A and AA rules): a test fails
when any page it visited has a serious or critical violation. Screenshots land in
test-artifacts/screenshots/ (override with SCREENSHOT_DIR)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings as django_settings
from django.core import mail
from playwright.sync_api import Error as PlaywrightError

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


# WCAG 2.1 level A and AA, the level EN 301 549 and the ADA guidance point to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = ("serious", "critical")

# Runs in every document before its own scripts (init scripts are not subject to the page's
# Content-Security-Policy). Top-level http(s) documents only: about:blank has no title or
# language, a frame is checked as part of its page, and the emulator's pages stand in for
# Stripe's and the networks' own. After `load`, axe runs once and reports through the
# `__axeReport` binding; `__axeDone` lets the test wait for the result. A page left before
# axe finishes is simply not reported.
AXE_RUNNER = f"""
(() => {{
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  if (location.origin === window.__axeSkipOrigin) return;
  {AXE_SCRIPT}
  let finish;
  window.__axeDone = new Promise((resolve) => {{ finish = resolve; }});
  window.addEventListener("load", () => setTimeout(async () => {{
    try {{
      // Django admin's SelectFilter2.js puts aria-label on a plain <span> (upstream markup).
      const result = await axe.run({{exclude: [".selector .help-tooltip"]}}, {{
        runOnly: {{type: "tag", values: {AXE_TAGS!r}}},
        resultTypes: ["violations"],
        iframes: false,
      }});
      const serious = result.violations
        .filter((v) => {list(AXE_IMPACTS)!r}.includes(v.impact))
        .map((v) => ({{
          id: v.id, impact: v.impact, help: v.help,
          targets: v.nodes.map((n) => n.target.join(" ")),
          summary: v.nodes[0] ? v.nodes[0].failureSummary : "",
        }}));
      await window.__axeReport({{url: location.href, violations: serious}});
    }} catch (error) {{
      await window.__axeReport({{url: location.href, error: String(error)}});
    }}
    finish();
  }}, 0));
}})();
"""


# A document still loading when the test ends (a stalled request) is not waited for forever.
WAIT_FOR_AXE = "() => Promise.race([window.__axeDone, new Promise((r) => setTimeout(r, 10000))])"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class AxeReports:
    """The axe-core results of every page the test's browser contexts loaded."""

    def __init__(self) -> None:
        self.pages: list[object] = []
        self.reports: list[dict] = []

    def watch(self, context: object) -> None:
        context.expose_binding("__axeReport", self._report)
        emulator = urlsplit(django_settings.EMULATOR_URL)
        skip = json.dumps(f"{emulator.scheme}://{emulator.netloc}")
        context.add_init_script(f"window.__axeSkipOrigin = {skip};")
        context.add_init_script(AXE_RUNNER)
        context.on("page", self._opened)

    def _report(self, _source: dict, report: dict) -> None:
        self.reports.append(report)

    def _opened(self, page: object) -> None:
        self.pages.append(page)

    def wait(self) -> None:
        """Wait for the check of each page still open (its last document) to finish."""
        for page in self.pages:
            if page.is_closed():
                continue
            # A page navigating or closing meanwhile has nothing left to wait for.
            with contextlib.suppress(PlaywrightError):
                page.evaluate(WAIT_FOR_AXE)

    def problems(self) -> list[str]:
        lines, seen = [], set()
        for report in self.reports:
            if "error" in report:
                lines.append(f"{report['url']}: axe could not run: {report['error']}")
            for v in report.get("violations", []):
                if (key := (report["url"], v["id"], tuple(v["targets"]))) in seen:
                    continue  # the same page visited again
                seen.add(key)
                lines.append(f"{report['url']}: [{v['impact']}] {v['id']}: {v['help']}")
                lines.extend(f"    at {target}" for target in v["targets"][:8])
                if len(v["targets"]) > 8:
                    lines.append(f"    … and {len(v['targets']) - 8} more")
                if v["summary"]:
                    lines.append("    " + v["summary"].replace("\n", "\n    "))
        return lines

    def check(self) -> None:
        """Fail with a readable list of the serious and critical violations seen so far."""
        self.wait()
        problems = self.problems()
        self.reports.clear()
        if problems:  # raised, not asserted: pytest would print the list twice
            raise AssertionError("axe-core found accessibility violations:\n" + "\n".join(problems))


@pytest.fixture
def axe() -> AxeReports:
    return AxeReports()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # After a test body that passed, while its pages are still open: the axe check fails it.
    result = yield
    reports = getattr(item, "funcargs", {}).get("axe")
    if isinstance(reports, AxeReports):
        reports.check()
    return result


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
def new_page(browser: object, axe: AxeReports) -> Iterator[Callable[..., object]]:
    """new_page(width=1280, height=860) -> a page in a fresh browser context, checked by axe."""
    contexts = []

    def make(width: int = 1280, height: int = 860) -> object:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        axe.watch(context)
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
