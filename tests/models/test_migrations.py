"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from pial.db import make_engine
from pial.migrations import (
    MIGRATIONS_PATH_ENV,
    alembic_config,
    check_database,
    current_revision,
    downgrade_database,
    upgrade_database,
)
from pial.models import Base
from tests.conftest import IS_POSTGRES, throwaway_database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of an empty SQLite file."""
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty (unmigrated) PostgreSQL database, dropped after the test."""
    if not IS_POSTGRES:
        pytest.skip("PIAL_DATABASE_URL is not a PostgreSQL URL: PostgreSQL migrations not run")
    with throwaway_database(tmp_path, postgres=True, migrate=False) as url:
        yield url


def table_names(url: str) -> set[str]:
    """Return the tables present in the database at ``url``."""
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def assert_round_trip(url: str) -> None:
    """Upgrade an empty database, compare it, downgrade to base, upgrade and compare again."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert current_revision(url) is None

    upgrade_database(url)
    assert current_revision(url) == head
    assert table_names(url) == set(Base.metadata.tables) | {"alembic_version"}
    assert check_database(url) == []

    downgrade_database(url, "base")
    assert current_revision(url) is None
    assert table_names(url) <= {"alembic_version"}

    upgrade_database(url)
    assert check_database(url) == []


def test_migrations_match_models_on_sqlite(sqlite_url: str) -> None:
    assert_round_trip(sqlite_url)


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(postgres_url: str) -> None:
    assert_round_trip(postgres_url)


def test_check_database_reports_drift(sqlite_url: str) -> None:
    upgrade_database(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE farms ADD COLUMN favourite_colour VARCHAR(20)"))
        connection.execute(text("DROP INDEX ix_order_lines_product_id"))
    engine.dispose()

    drift = check_database(sqlite_url)

    assert "remove_column farms.favourite_colour" in drift
    assert "add_index ix_order_lines_product_id on order_lines" in drift


def test_check_database_reports_an_unmigrated_database(sqlite_url: str) -> None:
    drift = check_database(sqlite_url)

    added_tables = {
        line.removeprefix("add_table ") for line in drift if line.startswith("add_table")
    }
    assert added_tables == set(Base.metadata.tables)


def test_migrations_have_a_single_head(sqlite_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(sqlite_url))

    assert len(script.get_heads()) == 1


def test_migrations_path_can_be_overridden(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Path(alembic_config(sqlite_url).get_main_option("script_location") or "")
    moved = tmp_path / "elsewhere"
    shutil.copytree(source, moved, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv(MIGRATIONS_PATH_ENV, str(moved))

    config = alembic_config(sqlite_url)
    upgrade_database(sqlite_url)

    assert config.get_main_option("script_location") == str(moved.resolve())
    assert current_revision(sqlite_url) is not None


def test_missing_migrations_folder_is_reported(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIGRATIONS_PATH_ENV, str(tmp_path / "nowhere"))

    with pytest.raises(FileNotFoundError, match="nowhere"):
        alembic_config(sqlite_url)


def _farm_with_organic_number_moves_to_a_certificate_and_back(url: str) -> None:
    """0003: a farm's organic body and number become a BIO certificate; downgrade restores them."""
    upgrade_database(url, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO farms (name, commune, lat, lon, organic_body, organic_number, "
                "is_active, created_dt, updated_dt, version_id) VALUES ('Ferme du Pic', 'Luchon', "
                "42.8, 0.6, 'Ecocert', 'FR-BIO-01-1', true, '2026-03-02 08:00:00+00:00', "
                "'2026-03-02 08:00:00+00:00', 1)"
            ))  # fmt: skip
        upgrade_database(url, "0003_identities")
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT label, body, number, valid_from, valid_until, in_conversion "
                "FROM farm_certificates"
            )).all()  # fmt: skip
        assert [(*map(str, row[:5]), bool(row[5])) for row in rows] == [
            ("BIO", "Ecocert", "FR-BIO-01-1", "2026-03-02", "None", False)
        ]
        downgrade_database(url, "0001")
        with engine.connect() as connection:
            farm = connection.execute(text("SELECT organic_body, organic_number FROM farms")).one()
        assert tuple(farm) == ("Ecocert", "FR-BIO-01-1")
    finally:
        engine.dispose()


def test_identities_migration_keeps_organic_certificates_on_sqlite(sqlite_url: str) -> None:
    _farm_with_organic_number_moves_to_a_certificate_and_back(sqlite_url)


def test_identities_migration_keeps_organic_certificates_on_postgresql(postgres_url: str) -> None:
    _farm_with_organic_number_moves_to_a_certificate_and_back(postgres_url)
