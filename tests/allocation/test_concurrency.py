"""Two allocations of one week at the same time are serialised: both runs are stored, numbered.

These tests use their own throwaway database (real commits from two connections), because the
suite's rolled-back connection cannot show two transactions racing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from pial.db import get_database, get_session
from pial.models import AllocationRun, User
from tests.allocation.scenario import ISO_WEEK, build_scenario
from tests.conftest import make_app


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
