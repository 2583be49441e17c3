"""The application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from pial import access, db, i18n, navigation
from pial.config import bundled_path, instance_path_from_env, settings_from_env


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the PIAL web application."""
    instance_path = Path(
        test_config.get("INSTANCE_PATH", instance_path_from_env())
        if test_config
        else instance_path_from_env()
    )
    app = Flask(
        "pial",
        instance_path=str(instance_path),
        template_folder=str(bundled_path("templates")),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.from_mapping(settings_from_env(instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    _init_security(app)
    _register_features(app)
    return app


def _init_security(app: Flask) -> None:
    """Set up sessions, CSRF protection and security headers."""
    from pial import error_pages, security

    security.init_app(app)
    error_pages.init_app(app)


def _register_features(app: Flask) -> None:
    """Register each feature's blueprint and its access rules."""
    from pial import account, admin, auth, home, maintenance, notifications, scheduler

    auth.init_app(app)
    account.init_app(app)
    home.init_app(app)
    admin.init_app(app)
    maintenance.init_app(app)
    notifications.init_app(app)
    scheduler.init_app(app)
    from pial import spreadsheets

    spreadsheets.init_app(app)
    from pial import rotation, weeks

    weeks.init_app(app)
    rotation.init_app(app)
    from pial import allocation, deliveries

    allocation.init_app(app)
    deliveries.init_app(app)
    from pial import contracts, invoices, money

    contracts.init_app(app)
    invoices.init_app(app)
    money.init_app(app)
    from pial import egalim

    egalim.init_app(app)
    from pial import season

    season.init_app(app)
    from pial import rounds

    rounds.init_app(app)
    from pial import api

    api.init_app(app)
