"""Fixtures of the model tests: a migrated database, a rolled-back session, row factories.

Independent of the Flask app (and of the suite-wide fixtures) so that the schema is tested on
its own. The database is PostgreSQL when ``PIAL_DATABASE_URL`` says so, else a SQLite file.
Expected integrity errors are raised inside ``session.begin_nested()`` so that PostgreSQL's
transaction stays usable.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.db import make_engine
from pial.migrations import upgrade_database
from pial.models import Canteen, CanteenKind, DeliveryWeek, Farm, Product, WeekState

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def models_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a database migrated to the latest revision."""
    url = os.environ.get("PIAL_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = f"sqlite:///{tmp_path_factory.mktemp('models') / 'models.sqlite3'}"
    upgrade_database(url)
    return url


@pytest.fixture
def session(models_database_url: str) -> Iterator[Session]:
    """A session on the migrated database whose changes are all rolled back."""
    engine = make_engine(models_database_url)
    connection = engine.connect()
    outer = connection.begin()
    db_session = Session(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield db_session
    finally:
        db_session.close()
        outer.rollback()
        connection.close()
        engine.dispose()


class Factory:
    """Add and flush rows with plausible defaults; keyword arguments override them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def farm(self, **values: Any) -> Farm:
        """Add a farm."""
        number = next(_numbers)
        values.setdefault("name", f"Ferme {number}")
        values.setdefault("commune", "Saint-Gaudens")
        values.setdefault("lat", 43.11)
        values.setdefault("lon", 0.72)
        farm: Farm = self._add(Farm(**values))
        return farm

    def canteen(self, **values: Any) -> Canteen:
        """Add a canteen."""
        number = next(_numbers)
        values.setdefault("name", f"Cantine {number}")
        values.setdefault("kind", CanteenKind.SCHOOL)
        values.setdefault("commune", "Montréjeau")
        values.setdefault("lat", 43.09)
        values.setdefault("lon", 0.57)
        canteen: Canteen = self._add(Canteen(**values))
        return canteen

    def product(self, **values: Any) -> Product:
        """Add a product."""
        number = next(_numbers)
        values.setdefault("slug", f"legume-{number}")
        values.setdefault("name_fr", f"Légume {number}")
        product: Product = self._add(Product(**values))
        return product

    def week(self, iso_week: str = "2026-W48", **values: Any) -> DeliveryWeek:
        """Add a delivery week whose deadlines fall in the week before."""
        year, week_number = (int(part) for part in iso_week.split("-W"))
        monday = date.fromisocalendar(year, week_number, 1)
        deadline = datetime.combine(monday - timedelta(days=4), time(11, 0), tzinfo=UTC)
        values.setdefault("state", WeekState.OPEN)
        values.setdefault("availability_deadline_dt", deadline)
        values.setdefault("order_deadline_dt", deadline)
        values.setdefault("publish_fallback_dt", deadline)
        week: DeliveryWeek = self._add(
            DeliveryWeek(
                iso_week=iso_week, year=year, week_number=week_number, monday_date=monday, **values
            )
        )
        return week


@pytest.fixture
def make(session: Session) -> Factory:
    """Row factories bound to the test's session."""
    return Factory(session)
