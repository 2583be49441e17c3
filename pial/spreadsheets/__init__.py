"""Spreadsheets: the planning workbook, the season export, entry templates and imports.

Writers and readers (``planning``, ``season``, ``entry``, ``reading``) are pure:
they take and return the dataclasses of ``data``. ``services`` is the one seam with the
database; ``blueprint`` and ``cli`` only parse, call a service and report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the spreadsheet pages, their menu entry and the export/import commands."""
    # Imported here so that the pure writers can be used without Flask nor the database.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.spreadsheets.blueprint import ACCESS_RULES, blueprint
    from pial.spreadsheets.cli import export_group, import_group

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(
        app, _l("Tableurs"), "spreadsheets.index", Role.LEAD, Role.GROWER, Role.CANTEEN, order=80
    )
    app.cli.add_command(export_group)
    app.cli.add_command(import_group)
