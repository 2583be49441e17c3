"""Backups and restores of the PIAL database: SQLite's online backup, or pg_dump/pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from pial.errors import ServiceError
from pial.files import make_sqlite_files_private, open_private, private_directory

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(ServiceError):
    """A backup or restore could not be made; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    """Where a backup was written and how large it is."""

    path: Path
    size_bytes: int
    engine: str


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne peut pas être sauvegardée.")
    return Path(database)


def _libpq_url(database_url: str) -> str:
    """Return the URL in the plain ``postgresql://`` form that pg_dump understands."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _require_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"L'outil « {name} » est introuvable : installez les outils clients PostgreSQL."
        )
    return tool


def _run(command: list[str], action: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-1:] or ["erreur inconnue"]
        raise BackupError(f"Échec de la {action} : {detail[0]}")


def backup_database(database_url: str, target: Path) -> BackupReport:
    """Write a consistent copy of the database to ``target`` while the service keeps running."""
    private_directory(target.parent)
    open_private(target).close()  # created 0600 before the copy is written into it
    engine = make_url(database_url).get_backend_name()
    if engine == "sqlite":
        source_path = _sqlite_path(database_url)
        if not source_path.exists():
            raise BackupError(f"La base SQLite {source_path} n'existe pas.")
        # The online backup API copies a consistent snapshot even while others write.
        with (
            closing(sqlite3.connect(source_path)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    elif engine == "postgresql":
        pg_dump = _require_tool("pg_dump")
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--file", str(target),
             "--dbname", _libpq_url(database_url)],
            "sauvegarde",
        )  # fmt: skip
    else:
        target.unlink()
        raise BackupError(f"Base « {engine} » non prise en charge pour les sauvegardes.")
    make_sqlite_files_private(target)  # the copy, and any WAL file its connection left
    return BackupReport(path=target, size_bytes=target.stat().st_size, engine=engine)


def restore_database(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"Le fichier de sauvegarde {source} est introuvable.")
    with source.open("rb") as handle:
        header = handle.read(16)
    engine = make_url(database_url).get_backend_name()
    if engine == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError("Ce fichier n'est pas une sauvegarde SQLite de PIAL.")
        with (
            closing(sqlite3.connect(source)) as backup,
            closing(sqlite3.connect(_sqlite_path(database_url))) as live,
        ):
            backup.backup(live)
        make_sqlite_files_private(_sqlite_path(database_url))
    elif engine == "postgresql":
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError("Ce fichier n'est pas une sauvegarde PostgreSQL (pg_dump) de PIAL.")
        pg_restore = _require_tool("pg_restore")
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", _libpq_url(database_url), str(source)],
            "restauration",
        )  # fmt: skip
    else:
        raise BackupError(f"Base « {engine} » non prise en charge pour les restaurations.")
