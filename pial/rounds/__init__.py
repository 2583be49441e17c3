"""Delivery rounds of a published week: pooled drives, the partner's truck, route sheets.

One floor above the published plan: it reads the plan's lines and hands them to the solver
through :mod:`pial.rounds.seam`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rounds pages and ``pial rounds``."""
    from pial.access import register_blueprint
    from pial.rounds.blueprint import ACCESS_RULES, blueprint
    from pial.rounds.cli import rounds_command

    register_blueprint(app, blueprint, ACCESS_RULES)
    app.cli.add_command(rounds_command)
