"""Allocating a week: the solver seam, runs, the coordinator's review, publication, re-plans."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the planning pages, their menu entry and the allocation commands."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.allocation.blueprint import ACCESS_RULES, blueprint
    from pial.allocation.cli import COMMANDS
    from pial.models import Role
    from pial.navigation import add_navigation

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Planning de la semaine"), "allocation.index", Role.LEAD, Role.GROWER,
                   order=30)
    for command in COMMANDS:
        app.cli.add_command(command)
