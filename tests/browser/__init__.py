"""Browser tests: the real app on a real port, driven through system Chromium."""

from playwright.sync_api import expect


def sign_in(page, email: str, password: str) -> None:
    """Sign a staff member in through the login page, as they would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
