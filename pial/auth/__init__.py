"""Accounts: sign-in, sign-out, invitations and passwords."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from pial.access import register_blueprint
from pial.auth.blueprint import ACCESS_RULES, blueprint
from pial.db import get_session


def _load_user(user_id: str) -> object | None:
    from pial.models import User

    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def init_app(app: Flask) -> None:
    """Install Flask-Login and the account pages."""
    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.user_loader(_load_user)
    login_manager.init_app(app)
    register_blueprint(app, blueprint, ACCESS_RULES)
