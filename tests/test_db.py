"""Connection settings PIAL relies on, and the transaction helper."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from pial.db import make_engine


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()


def test_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE takes the write lock up front: a second writer waits, then succeeds."""
    engine = make_engine(f"sqlite:///{tmp_path / 'y.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))

    errors: list[BaseException] = []

    def increment(times: int) -> None:
        try:
            for _ in range(times):
                with engine.begin() as connection:
                    value = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=increment, args=(50,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        # Read-modify-write in each transaction: lost updates would show as a smaller count.
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 200
    engine.dispose()


def test_transaction_rolls_back_on_error(app: object, db: object) -> None:
    from sqlalchemy import select

    from pial.db import transaction
    from pial.models import Farm

    with pytest.raises(RuntimeError), transaction() as session:
        session.add(Farm(name="Ferme fantôme", commune="Aspet", lat=43.0, lon=0.8))
        session.flush()
        raise RuntimeError("boom")
    with transaction() as session:
        assert session.scalar(select(Farm).where(Farm.name == "Ferme fantôme")) is None


def test_a_page_read_does_not_hold_up_writers_on_sqlite(tmp_path: Path) -> None:
    """GET requests begin deferred transactions: a writer proceeds while a page is rendering."""
    import time

    from flask import Flask

    engine = make_engine(f"sqlite:///{tmp_path / 'z.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
    web = Flask("reader")
    with web.test_request_context("/", method="GET"), engine.connect() as reader:
        reader.begin()
        assert reader.execute(text("SELECT count(*) FROM note")).scalar_one() == 0
        # While the page's transaction is still open, another worker saves something.
        started = time.perf_counter()
        outcome: list[float] = []

        def write() -> None:
            with engine.begin() as writer:
                writer.execute(text("INSERT INTO note VALUES ('offre enregistrée')"))
            outcome.append(time.perf_counter() - started)

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(timeout=5)
        assert outcome and outcome[0] < 2, "the writer waited for the page read to finish"
        reader.rollback()
    engine.dispose()
