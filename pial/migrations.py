"""Alembic as a library: configure it for a database URL, upgrade, compare, report the revision.

No CLI here; commands call these functions. The ``migrations/`` folder sits next to the
``pial/`` package in a source checkout and inside it in an installed wheel
(:func:`pial.config.bundled_path`); set ``PIAL_MIGRATIONS_PATH`` to use another location.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from pial.config import bundled_path
from pial.db import make_engine

MIGRATIONS_PATH_ENV = "PIAL_MIGRATIONS_PATH"


def migrations_path() -> Path:
    """Return the folder holding ``env.py`` and ``versions/``."""
    configured = os.environ.get(MIGRATIONS_PATH_ENV)
    if configured:
        return Path(configured).resolve()
    return bundled_path("migrations")


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration pointing at PIAL's migrations and ``database_url``."""
    path = migrations_path()
    if not (path / "env.py").is_file():
        raise FileNotFoundError(f"no Alembic env.py in {path} (set {MIGRATIONS_PATH_ENV})")
    config = Config()
    config.set_main_option("script_location", str(path))
    # Alembic's ini format interpolates "%", which may appear in URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (default: the latest)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    """Revert the migrations down to ``revision`` (``"base"`` = empty database)."""
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    """Return the revision the database is at, or None if it was never migrated."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def check_database(database_url: str) -> list[str]:
    """Return one human-readable line per difference between the database and the models."""
    # Imported here so that importing this module does not import every model.
    from pial.models import Base

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "target_metadata": Base.metadata}
            )
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    return [_describe(diff) for diff in diffs]


def _describe(diff: Any) -> str:
    """Render one ``compare_metadata`` entry (a tuple, or a list of column changes)."""
    if isinstance(diff, list):
        return "; ".join(_describe(item) for item in diff)
    action, *details = diff
    if action in {"add_table", "remove_table"}:
        return f"{action} {details[0].name}"
    if action in {"add_column", "remove_column"}:
        _schema, table, column = details
        return f"{action} {table}.{column.name}"
    if action in {"add_index", "remove_index", "add_constraint", "remove_constraint"}:
        item = details[0]
        table = getattr(item, "table", None)
        table_name = table.name if table is not None else "?"
        return f"{action} {item.name} on {table_name}"
    if action in {"add_fk", "remove_fk"}:
        fk = details[0]
        return f"{action} {fk.parent.name}: {[c.name for c in fk.columns]}"
    if action.startswith("modify_"):
        _schema, table, column, _existing, old, new = details
        return f"{action} {table}.{column}: {old!r} -> {new!r}"
    return " ".join(str(part) for part in diff)
