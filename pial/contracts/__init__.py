"""Contracts (tender lots): the lead's upkeep and each contract's progress against commitment."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the contract pages and their menu entries."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.contracts.blueprint import ACCESS_RULES, blueprint
    from pial.models import Role
    from pial.navigation import add_navigation

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Contrats"), "contracts.index", Role.LEAD, Role.CANTEEN, order=400)
