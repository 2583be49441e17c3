"""Accounts: sign-in, sign-out, invitations and passwords."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask_login import LoginManager, login_user

from pial.access import register_blueprint
from pial.auth.blueprint import ACCESS_RULES, blueprint
from pial.db import get_session


def _load_user(user_id: str) -> object | None:
    """Return the active user of a session id ``"<id>:<generation>"`` if it is still current."""
    from pial.models import User

    number, _, generation = user_id.partition(":")
    if not (number.isdigit() and generation.isdigit()):
        return None  # an id from before sessions carried their generation: sign in again
    user = get_session().get(User, int(number))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user


def _sign_in_from_remember_cookie() -> None:
    """Sign in a browser without session from its remember cookie, rotating the cookie."""
    from pial.auth import remember

    if "_user_id" in session or request.path.startswith("/static/"):
        return
    if "remember_token" in request.cookies:
        session["_remember"] = "clear"  # Flask-Login's own cookie is no longer honoured
    value = request.cookies.get(remember.COOKIE_NAME)
    if not value:
        return
    used = remember.use(value)
    if used is None:
        remember.set_cookie(None)
        return
    user, new_value = used
    login_user(user, fresh=False)
    remember.set_cookie(new_value)


def _write_remember_cookie(response: Response) -> Response:
    from pial.auth import remember

    value = g.get("pial_remember")
    if value is None:
        return response
    config = current_app.config
    options = {
        "path": "/",
        "secure": bool(config.get("REMEMBER_COOKIE_SECURE")),
        "httponly": True,
        "samesite": config.get("REMEMBER_COOKIE_SAMESITE", "Lax"),
    }
    if value:
        response.set_cookie(
            remember.COOKIE_NAME, value, max_age=int(remember.LIFETIME.total_seconds()),
            **options,
        )
    else:
        response.delete_cookie(remember.COOKIE_NAME, **options)
    return response


def init_app(app: Flask) -> None:
    """Install Flask-Login and the account pages."""
    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.user_loader(_load_user)
    login_manager.init_app(app)
    # First of all hooks: the access rules must see the user the cookie signs in.
    app.before_request_funcs.setdefault(None, []).insert(0, _sign_in_from_remember_cookie)
    app.after_request(_write_remember_cookie)
    register_blueprint(app, blueprint, ACCESS_RULES)
