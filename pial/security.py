"""Sessions, CSRF protection and HTTP security headers."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def _signed_in() -> bool:
    """Tell whether this request ran for a signed-in person (without loading anybody)."""
    user = g.get("_login_user")
    if user is not None:
        return bool(getattr(user, "is_authenticated", False))
    return "_user_id" in session  # a page that never asked who is there (an error page)


def add_security_headers(response: Response) -> Response:
    """Add the security headers every answer carries.

    Answers to a signed-in person and every API answer are ``no-store``: a shared computer's
    cache or the back button never shows them to the next person. In production, HSTS tells
    browsers to come back over HTTPS only.
    """
    headers = response.headers
    if request.path.startswith("/api/") or _signed_in():
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    if current_app.config.get("PIAL_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def init_app(app: Flask) -> None:
    """Protect every form with CSRF and every answer with security headers."""
    csrf.init_app(app)
    app.after_request(add_security_headers)
