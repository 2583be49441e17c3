"""The weekly cycle: weeks and deadlines, growers' offers, canteens' orders, standing orders.

- ``calendar``: week labels, deadlines, delivery days, seasons and prices, edit windows, who
  coordinates each week;
- ``opening``: opening weeks (standing orders copied in) and closing them;
- ``closures``: when canteens are closed (public holidays, school holidays of their zone,
  closures they declare): no standing order copied, no order accepted those days;
- ``offers``, ``orders``, ``standing_orders``: what growers offer (and each farm's « mes
  produits »), what canteens order (the contracts covering it, what is left on offer),
  canteens' orders by weekday;
- ``saving``: the replace-all save the three share (checks, versions, audit, report);
- ``states``: the week's state machine; ``parsing``: the quantities people type;
- ``blueprint``, ``grid``, ``forms``, ``cli``: the pages (the three quantity grids share
  ``grid``) and ``pial week``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the week pages, their menu entries and ``pial week``."""
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.weeks.blueprint import ACCESS_RULES, blueprint
    from pial.weeks.cli import week_group

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Ma semaine"), "weeks.my_offer", Role.GROWER, order=10)
    add_navigation(app, _l("Commande"), "weeks.my_order", Role.CANTEEN, order=10)
    add_navigation(
        app, _l("Commandes permanentes"), "weeks.standing_orders", Role.CANTEEN, order=20
    )
    add_navigation(app, _l("Fermetures"), "weeks.closures", Role.CANTEEN, order=25)
    add_navigation(app, _l("Semaines"), "weeks.week_list", Role.LEAD, order=10)
    app.cli.add_command(week_group)
