"""Accounts: sign-in, sign-out, invitations and passwords."""

from __future__ import annotations

from flask import Flask, session
from flask_login import LoginManager, user_loaded_from_cookie

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


def _renew_remember_cookie(_app: Flask, user: object) -> None:
    """A remember cookie that signed somebody in is issued again, valid 30 days from now."""
    session["_remember"] = "set"


def init_app(app: Flask) -> None:
    """Install Flask-Login and the account pages."""
    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.user_loader(_load_user)
    login_manager.init_app(app)
    user_loaded_from_cookie.connect(_renew_remember_cookie, app)
    register_blueprint(app, blueprint, ACCESS_RULES)
