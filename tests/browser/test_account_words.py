"""The log-in, sign-up and password pages speak Mixora's words, at desktop and phone sizes."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, UserFactory

LIBRARY_WORDS = ("Sign In", "Sign Up", "Remember Me", "Verify Your Email Address", "Sign Out")


def no_library_words(page) -> None:
    text = page.locator("body").inner_text() + page.title()
    assert not [w for w in LIBRARY_WORDS if w in text], text


def test_log_in_create_account_and_reset_in_the_products_words(app, new_page, shot):
    user = UserFactory(email="ana@example.test", full_name="Ana Lima")
    for width, size in ((1280, "desktop"), (390, "phone")):
        page = new_page(width=width, height=844)
        page.goto(f"{app}/accounts/login/")
        decline_cookies(page)
        expect(page).to_have_title("Log in · Mixora")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        expect(page.get_by_label("Keep me logged in")).to_be_visible()
        no_library_words(page)
        shot(page, f"login-{size}")

        page.get_by_role("link", name="Create an account").click()
        expect(page).to_have_title("Create account · Mixora")
        expect(page.get_by_role("button", name="Create account")).to_be_visible()
        no_library_words(page)
        shot(page, f"signup-{size}")

    page.goto(f"{app}/accounts/password/reset/")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    no_library_words(page)
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Keep me logged in").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Ana Lima.")).to_be_visible()
