"""Money: fee and fund accruals, cash advances, statements, the fairness ledger, the fund and
the regulation report."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the money pages, their menu entries and ``pial money``."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.money.blueprint import ACCESS_RULES, blueprint
    from pial.money.cli import money_group
    from pial.navigation import add_navigation

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Relevés"), "money.statements", Role.LEAD, order=410)
    add_navigation(app, _l("Mon relevé"), "money.my_statement", Role.GROWER, Role.CANTEEN,
                   order=410)
    add_navigation(app, _l("Équité"), "money.ledger", Role.LEAD, order=420)
    add_navigation(app, _l("Mon équité"), "money.my_ledger", Role.GROWER, order=420)
    add_navigation(app, _l("Fonds et avances"), "money.fund", Role.LEAD, order=430)
    add_navigation(app, _l("Régulation"), "money.regulation", Role.LEAD, order=440)
    app.cli.add_command(money_group)
