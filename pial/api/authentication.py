"""Bearer-token sign-in for the API, and CSRF for the API calls that rely on the session cookie.

A request carrying ``Authorization: Bearer <token>`` acts as the token's user, with that user's
role and farm or canteen; no cookie is set. Such a request is exempt from CSRF (a browser never
adds that header by itself); a call authenticated by the session cookie is not.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from pial.security import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def bearer_secret() -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def load_user_from_request(_request: Any) -> Any:
    """Flask-Login's request loader: the user of a valid bearer token on an API path."""
    from pial.api.tokens import user_for_token

    if not request.path.startswith("/api/"):
        return None
    secret = bearer_secret()
    if secret is None:
        return None
    user = user_for_token(secret)
    if user is not None:
        g.pial_api_token = True
    return user


def is_token_authenticated() -> bool:
    """Tell whether the current request was signed in by a bearer token."""
    return bool(g.get("pial_api_token"))


def protect_session_calls() -> None:
    """Check the CSRF token of unsafe API calls authenticated by the session cookie."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    from flask_login import current_user

    if current_user.is_authenticated and not is_token_authenticated():
        csrf.protect()
