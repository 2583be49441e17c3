"""The coming season: demand forecast, the collective season plan, tender lots, advances.

``seam`` turns rows into the inputs of ``solver.season`` (forecast, supply, plan, Monte Carlo);
``services`` holds the forecast, the plan, growers' crops and proposals and the advances;
``tenders`` the lots and their answers; ``xlsx`` the workbooks; ``blueprint`` the pages for the
lead and for each grower (« mon plan de culture »); ``cli`` the ``pial season`` commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the season pages, their menu entries and ``pial season``."""
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.season.blueprint import ACCESS_RULES, blueprint
    from pial.season.cli import season_group

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Saison"), "season.index", Role.LEAD, order=450)
    add_navigation(app, _l("Appels d'offres"), "season.lots", Role.LEAD, order=460)
    add_navigation(app, _l("Mon plan de culture"), "season.my_plan", Role.GROWER, order=450)
    app.cli.add_command(season_group)
