"""The coordinator rotation: who coordinates each week, and swaps between growers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rotation page, its menu entries and ``pial rotation``."""
    # Imported here: importing the package's services alone does not load its pages.
    from flask_babel import lazy_gettext as _l

    from pial.access import register_blueprint
    from pial.models import Role
    from pial.navigation import add_navigation
    from pial.rotation.blueprint import ACCESS_RULES, blueprint
    from pial.rotation.cli import rotation_group

    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(
        app, _l("Rotation"), "rotation.index", Role.LEAD, Role.GROWER, Role.CANTEEN, order=60
    )
    app.cli.add_command(rotation_group)
