"""Database engine, declarative base and the per-context session.

Plain SQLAlchemy 2: one engine per app, one session per application context (a request, a CLI
command or a scheduler job). Services own the transaction and call ``session.commit()``; routes
never do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from pial.files import make_sqlite_files_private, touch_private

# A fixed naming convention lets Alembic name (and batch-alter on SQLite) every constraint.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_EXTENSION_KEY = "pial.db"


class Base(DeclarativeBase):
    """Declarative base of every PIAL table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself so that writes can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_sqlite(conn: Any) -> None:
    """Start SQLite transactions: deferred for page reads, IMMEDIATE for anything that writes.

    A write transaction takes the write lock up front (BEGIN IMMEDIATE), so concurrent writers
    queue behind the busy timeout instead of failing when they upgrade a read snapshot. Reads
    of GET requests begin deferred: in WAL mode they then never wait for, nor hold up, writers.
    """
    if has_request_context() and request.method in READ_ONLY_METHODS:
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_file(url: str) -> str | None:
    """Return the file of a SQLite URL (None for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the connection settings PIAL relies on.

    A SQLite database file is created 0600 before SQLite opens it (SQLite gives its WAL and
    SHM files the database file's mode), and all three are made 0600 on each connection.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _configure_sqlite)
        database_file = _sqlite_file(url)
        if database_file is not None:
            if Path(database_file).parent.is_dir():
                touch_private(database_file)

            def _private(_dbapi_connection: Any, _record: Any) -> None:
                make_sqlite_files_private(database_file)

            event.listen(engine, "connect", _private)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """The engine and session factory of one Flask app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)


def init_app(app: Flask) -> None:
    """Attach the database to ``app`` and close each context's session at teardown."""
    app.extensions[_EXTENSION_KEY] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    """Return the database of ``app`` (default: the current app)."""
    database: Database = (app or current_app).extensions[_EXTENSION_KEY]
    return database


def get_session() -> Session:
    """Return the session of the current application context, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    session: Session = g.db_session
    return session


def close_session() -> None:
    """Close the current context's session, ending any transaction it holds."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    close_session()


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block in the context's session and commit it, or roll back on error."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
