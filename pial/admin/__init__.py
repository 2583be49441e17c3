"""The project lead's administration: settings, catalogue, prices, farms, canteens, accounts."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from pial.access import register_blueprint
from pial.admin.blueprint import ACCESS_RULES, blueprint
from pial.models import Role
from pial.navigation import add_navigation


def init_app(app: Flask) -> None:
    """Register the administration pages and their menu entries."""
    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Paramètres"), "admin.settings", Role.LEAD, order=900)
    add_navigation(app, _l("Catalogue"), "admin.products", Role.LEAD, order=910)
    add_navigation(app, _l("Prix"), "admin.prices", Role.LEAD, order=915)
    add_navigation(app, _l("Fermes"), "admin.farms", Role.LEAD, order=920)
    add_navigation(app, _l("Cantines"), "admin.canteens", Role.LEAD, order=930)
    add_navigation(app, _l("Groupements"), "admin.canteen_groups", Role.LEAD, order=935)
    add_navigation(app, _l("Comptes"), "admin.users", Role.LEAD, order=940)
