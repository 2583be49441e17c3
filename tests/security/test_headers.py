"""Security headers on every kind of answer, and templates that the CSP can allow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pial.config import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates"
# E-mails are not web pages: mail clients ignore the CSP and drop <style> sheets, so their
# templates carry inline styles on purpose.
EMAIL_TEMPLATES = TEMPLATES / "emails"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def _page_templates() -> list[Path]:
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if EMAIL_TEMPLATES not in path.parents
    )


def test_no_page_template_has_inline_script_or_style() -> None:
    templates = _page_templates()
    assert len(templates) > 20
    offending = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("on…= event handler", EVENT_HANDLER),
            ("javascript: URL", JAVASCRIPT_URL),
        ):
            if pattern.search(text):
                offending.append(f"{path.relative_to(REPO_ROOT)}: {name}")
    assert offending == []


def test_the_pattern_catches_what_it_should() -> None:
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/app.js"></script>')
    assert STYLE_ATTRIBUTE.search('<p style="color: red">')
    assert EVENT_HANDLER.search('<button onclick="go()">')


def _assert_hardened(response: Any) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_api_errors_and_static_files_carry_the_headers(
    client: Any, make_user: Any, db: Any
) -> None:
    from pial.api.tokens import create_token

    token = create_token(make_user("lead"), "headers").secret
    answers = [
        client.get("/connexion"),
        client.get("/page-inexistante"),
        client.get("/static/pial.css"),
        client.get("/api/v1/weeks"),  # 401 problem
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/docs"),
    ]
    for response in answers:
        _assert_hardened(response)
        response.close()  # the static file is streamed from an open file


def test_the_api_reference_needs_no_script_nor_external_asset(client: Any) -> None:
    text = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<script" not in text.lower()
    assert not re.search(r"(src|href)=\"(https?:)?//", text)


def test_signed_in_pages_and_api_answers_are_never_stored(
    client: Any, make_user: Any, db: Any, login: Any
) -> None:
    from pial.api.tokens import create_token

    user = make_user("lead")
    token = create_token(user, "cache").secret
    public = client.get("/connexion")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    api = [
        client.get("/api/v1/weeks"),
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
    ]
    login(user)
    pages = [client.get("/"), client.get("/compte/langue"), client.get("/page-inexistante")]
    for response in api + pages:
        assert response.headers.get("Cache-Control") == "no-store", response.request.path


def test_hsts_only_in_production(tmp_path: Any, database_url: str) -> None:
    from tests.conftest import make_app

    development = make_app(database_url, tmp_path / "dev").test_client().get("/connexion")
    assert "Strict-Transport-Security" not in development.headers
    production = make_app(database_url, tmp_path / "prod", PIAL_ENV="production")
    answer = production.test_client().get("/connexion")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
