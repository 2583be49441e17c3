"""A backup restored over changed data gives back exactly the data that was saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pial.maintenance.backups import BackupError, backup_database, restore_database
from pial.migrations import upgrade_database
from tests.conftest import make_app


def _farms(url: str) -> list[tuple[str, float]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, lat FROM farms ORDER BY name")).all()
    engine.dispose()
    return [(name, lat) for name, lat in rows]


def _execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_backup_then_restore_gives_back_the_saved_data(
    database_of_each_kind: str, tmp_path: Path
) -> None:
    url = database_of_each_kind
    _execute(
        url,
        "INSERT INTO farms (name, commune, lat, lon, is_active, created_dt, updated_dt, "
        "version_id) VALUES ('Ferme du Pic', 'Saint-Mamet', 42.78, 0.60, true, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, 1), ('Les Jardins de la Pique', 'Cierp-Gaud', 42.92, 0.63, true, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
    )
    saved = _farms(url)
    report = backup_database(url, tmp_path / "backup.bin")
    assert report.size_bytes > 0

    _execute(url, "DELETE FROM farms WHERE name = 'Ferme du Pic'")
    _execute(url, "UPDATE farms SET lat = 0")
    assert _farms(url) != saved

    restore_database(url, report.path)
    assert _farms(url) == saved


def test_the_cli_writes_a_backup_into_the_instance_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade_database(url)
    app = make_app(url, tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "instance" / "backups").glob("pial-*.sqlite3"))
    assert len(backups) == 1
    assert backups[0].read_bytes().startswith(b"SQLite format 3\x00")


def test_restoring_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade_database(url)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("pas une sauvegarde", encoding="utf-8")
    with pytest.raises(BackupError, match="n'est pas une sauvegarde SQLite"):
        restore_database(url, bogus)
    app = make_app(url, tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "n'est pas une sauvegarde" in result.output


def _every_table(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (the schema's and Alembic's), in primary-key order."""
    from sqlalchemy import inspect

    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        tables = {}
        with engine.connect() as connection:
            for table in sorted(inspector.get_table_names()):
                columns = [c["name"] for c in inspector.get_columns(table)]
                order = ", ".join(f'"{name}"' for name in columns)
                rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}')).all()
                tables[table] = [tuple(row) for row in rows]
        return tables
    finally:
        engine.dispose()


def test_pial_backup_and_restore_give_back_every_table_of_the_demo(
    database_of_each_kind: str, tmp_path: Path
) -> None:
    import shutil

    from pial.db import get_database
    from pial.demo import seed_demo

    url = database_of_each_kind
    tools = shutil.which("pg_dump") and shutil.which("pg_restore")
    if url.startswith("postgresql") and not tools:
        pytest.skip("pg_dump/pg_restore absent: the PostgreSQL round trip needs them")
    app = make_app(url, tmp_path / "instance")
    try:
        with app.app_context():
            seed_demo(weeks_back=1)
            get_database().session_factory().close()
    finally:
        get_database(app).engine.dispose()
    saved = _every_table(url)
    assert sum(len(rows) for rows in saved.values()) > 1000
    runner = app.test_cli_runner()
    backup = tmp_path / "demo.backup"
    result = runner.invoke(args=["backup", "--output", str(backup)])
    assert result.exit_code == 0, result.output

    _execute(url, "DELETE FROM outbox_messages")
    _execute(url, "UPDATE farms SET name = name || ' (modifiée)'")
    _execute(url, "DELETE FROM audit_log")
    assert _every_table(url) != saved

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    get_database(app).engine.dispose()
    restored = _every_table(url)
    assert restored.keys() == saved.keys()
    for table in saved:
        assert restored[table] == saved[table], table
