"""Invoices: the monthly invoices and credit notes of the delivered lines, their Factur-X
files, their payment and the reminders of overdue ones."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the invoice pages, their menu entries and ``pial invoices``."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.invoices.blueprint import ACCESS_RULES, blueprint
    from pial.invoices.cli import invoices_group
    from pial.models import Role
    from pial.navigation import add_navigation

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Factures"), "invoices.index", Role.LEAD, Role.CANTEEN, Role.GROWER,
                   order=415)
    app.cli.add_command(invoices_group)
