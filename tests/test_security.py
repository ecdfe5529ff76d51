"""Security headers, cookie flags, body limits, uploads, and pages that work under the CSP."""

import re
from io import BytesIO
from pathlib import Path

import pytest

from eventsvc.config import REPO_ROOT
from eventsvc.security import CONTENT_SECURITY_POLICY
from eventsvc.services.uploads import UploadError, store_image
from tests.helpers import PNG


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_policy_allows_no_inline_script_and_no_framing():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/", "/calendar.ics", "/news.atom", "/no-such-page"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)

    assert response.status_code == (404 if path == "/no-such-page" else 200)
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_https(client):
    response = client.get("/", environ_overrides={"wsgi.url_scheme": "https"})

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    spoofed = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1}])
def test_hsts_behind_a_trusted_proxy_that_terminated_tls(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})

    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/").headers


def session_cookie(client, make_staff) -> str:
    user, password = make_staff("editor@example.org")
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def test_the_session_cookie_is_httponly_and_lax_without_secure_on_http(client, make_staff):
    cookie = session_cookie(client, make_staff)

    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("app_config", [{"BASE_URL": "https://events.example.org"}])
def test_the_session_cookie_is_secure_when_the_site_is_on_https(client, make_staff):
    cookie = session_cookie(client, make_staff)

    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_oversized_post_is_refused_with_413(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)

    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "larger than the site accepts" in response.text
    assert_security_headers(response)


# Pages under the CSP: no inline script, style or event handler anywhere a browser runs.

_PAGE_TEMPLATES = [
    path
    for path in sorted((REPO_ROOT / "templates").rglob("*.html"))
    if "email" not in path.relative_to(REPO_ROOT / "templates").parts
]
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


@pytest.mark.parametrize(
    "template", _PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(REPO_ROOT / "templates"))
)
def test_page_templates_need_no_inline_script_or_style(template: Path):
    markup = template.read_text()

    assert not re.search(r"\sstyle\s*=", markup, re.I)
    assert not re.search(r"<style\b", markup, re.I)
    assert not re.search(r"\son[a-z]+\s*=", markup, re.I)
    assert "javascript:" not in markup.lower()
    for attributes in _SCRIPT_TAG.findall(markup):
        assert "src=" in attributes or 'type="application/ld+json"' in attributes, attributes


def test_a_rendered_event_page_runs_only_scripts_from_the_site(client, make_event):
    event = make_event()

    markup = client.get(f"/events/{event.slug}").text

    scripts = _SCRIPT_TAG.findall(markup)
    assert any('type="application/ld+json"' in attributes for attributes in scripts)
    for attributes in scripts:
        assert 'src="/static/' in attributes or "ld+json" in attributes, attributes


# Uploads: checked by content, stored under random names, served by simple name only.


def test_uploads_are_checked_by_content_and_stored_under_random_names(tmp_path):
    folder = tmp_path / "shared-uploads"

    first = store_image(BytesIO(PNG), str(folder), 1024)
    second = store_image(BytesIO(PNG), str(folder), 1024)

    assert re.fullmatch(r"[0-9a-f]{32}\.png", first) and first != second
    assert (folder / first).read_bytes() == PNG
    for disguised in (b"<html><script>alert(1)</script>", b"%PDF-1.7", b"GIF8"):
        with pytest.raises(UploadError):
            store_image(BytesIO(disguised), str(folder), 1024)
    with pytest.raises(UploadError):
        store_image(BytesIO(PNG), str(folder), 8)
    assert sorted(p.name for p in folder.iterdir()) == sorted([first, second])


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fsecret.txt",
        "..%2F..%2Fsecret.txt",
        "%2e%2e%2fsecret.txt",
        "%2E%2E%2Fsecret.txt",
        "..%5Csecret.txt",
        "%252e%252e%252fsecret.txt",
        "..",
        "...",
        ".secret.txt",
        "%00secret.txt",
        "%2Fetc%2Fpasswd",
    ],
)
def test_path_traversal_in_uploads_is_refused(client, app, tmp_path, name):
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    (tmp_path / "secret.txt").write_text("private")

    response = client.get(f"/uploads/{name}")

    assert response.status_code in (400, 404)
    assert b"private" not in response.data
    assert_security_headers(response)


def test_a_stored_upload_is_served_from_the_upload_dir(client, app):
    name = store_image(BytesIO(PNG), app.config["UPLOAD_DIR"], 1024)

    response = client.get(f"/uploads/{name}")

    assert response.status_code == 200 and response.data == PNG
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
