"""The home page: what is expected of each person this week."""

from __future__ import annotations

from flask import Flask

from pial.access import register_blueprint
from pial.home.blueprint import ACCESS_RULES, blueprint


def init_app(app: Flask) -> None:
    """Register the home page."""
    register_blueprint(app, blueprint, ACCESS_RULES)
