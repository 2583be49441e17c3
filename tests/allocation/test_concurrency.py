"""Two allocations of one week at the same time are serialised: both runs are stored, numbered.

These tests use their own throwaway database (real commits from two connections), because the
suite's rolled-back connection cannot show two transactions racing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from pial.db import get_database, get_session
from pial.migrations import upgrade_database
from pial.models import AllocationRun, User
from tests.allocation.scenario import ISO_WEEK, build_scenario
from tests.conftest import IS_POSTGRES, POSTGRES_URL, make_app


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database of the suite's kind, dropped after the test."""
    if not IS_POSTGRES:
        url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        upgrade_database(url)
        yield url
        return
    server_url = make_url(POSTGRES_URL)
    name = f"pial_allocation_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server_url.set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_simultaneous_allocations_get_distinct_sequences(
    fresh_url: str, tmp_path: Path
) -> None:
    app: Flask = make_app(fresh_url, tmp_path / "instance")
    counter = iter(range(1, 100))

    def make_user(role: str, **values: Any) -> User:
        number = next(counter)
        user = User(role=role, email=f"p{number}@exemple.fr", display_name=f"P {number}",
                    **values)
        get_session().add(user)
        return user

    with app.app_context():
        build_scenario(get_session(), make_user)

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def allocate() -> None:
        from pial.allocation.services import allocate_week

        with app.app_context():
            try:
                start.wait(timeout=30)
                allocate_week(ISO_WEEK, None)
            except BaseException as error:  # reported to the test thread below
                errors.append(error)

    threads = [threading.Thread(target=allocate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        with app.app_context():
            runs = get_session().scalars(select(AllocationRun)).all()
            assert sorted(run.sequence for run in runs) == [1, 2]
            assert runs[0].instance_json == runs[1].instance_json
    finally:
        get_database(app).engine.dispose()
