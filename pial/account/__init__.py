"""The signed-in person's own preferences: the interface language."""

from __future__ import annotations

from flask import Flask

from pial.access import register_blueprint
from pial.account.blueprint import ACCESS_RULES, blueprint


def init_app(app: Flask) -> None:
    """Register the preferences page."""
    register_blueprint(app, blueprint, ACCESS_RULES)
