"""Deliveries of a published week: pick lists and rounds, delivery notes, receipts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the delivery pages and their menu entry."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.deliveries.blueprint import ACCESS_RULES, blueprint
    from pial.models import Role
    from pial.navigation import add_navigation

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Mes livraisons"), "deliveries.index", Role.GROWER, Role.CANTEEN,
                   order=40)
