"""EGalim: the canteens' purchases in ma-cantine's import format, and the EGalim dashboard.

``tableschema`` reads ma-cantine's own table schema (a verbatim copy in ``schemas/``),
``macantine`` writes the purchase file against it, ``figures`` and ``charts`` make the
dashboard, ``totals`` reads the canteens' other purchases; all pure. ``services`` is the one
seam with the database (delivered lines through :mod:`pial.published.sales`); ``blueprint`` and
``cli`` only parse, call a service and report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the EGalim pages, their menu entry and ``pial export ma-cantine``."""
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.egalim.blueprint import ACCESS_RULES, blueprint
    from pial.egalim.cli import macantine_command
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.spreadsheets.cli import export_group

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("EGalim"), "egalim.index", Role.LEAD, Role.CANTEEN, order=450)
    # The command joins the other exports (``pial export …``); adding it again is a no-op.
    export_group.add_command(macantine_command)
