"""Delivery rounds of a published week: pooled drives, the partner's truck, route sheets.

One floor above the published plan: it reads the plan's lines and hands them to the solver
through :mod:`pial.rounds.seam`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rounds pages, their set-up pages and ``pial rounds``."""
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.rounds import setup_blueprint
    from pial.rounds.blueprint import ACCESS_RULES, blueprint
    from pial.rounds.cli import rounds_command

    register_blueprint(app, blueprint, ACCESS_RULES)
    register_blueprint(app, setup_blueprint.blueprint, setup_blueprint.ACCESS_RULES)
    add_navigation(app, _l("Tournées : réglages"), "rounds_setup.index", Role.LEAD, order=470)
    add_navigation(app, _l("Ma camionnette"), "rounds_setup.my_van", Role.GROWER, order=470)
    app.cli.add_command(rounds_command)
