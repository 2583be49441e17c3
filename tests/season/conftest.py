"""Fixtures of the season tests: the demo (three past seasons imported) on a fixed clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.demo import seed_demo
from pial.models import Farm, TenderLot, User

# Monday 23 November 2026, 9 h in Luchon: the 2026-2027 season is under way, 2027 is next.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
COMING = 2027


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Run the season tests on a fixed clock."""
    return {"PIAL_CLOCK": lambda: MONDAY_MORNING}


class Demo:
    """The seeded demo's people and rows the tests use."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.lead = self.user("coordination")
        self.lot = db.scalars(select(TenderLot)).one()

    def user(self, local_part: str) -> User:
        """Return the demo user of an e-mail's local part."""
        return self.db.scalars(select(User).where(
            User.email == f"{local_part}@demo.pial.example")).one()

    def farm(self, name: str) -> Farm:
        """Return the demo farm of that name."""
        return self.db.scalars(select(Farm).where(Farm.name == name)).one()


@pytest.fixture
def demo(db: Session) -> Demo:
    """The demo territory with its imported past seasons; the open week only is played."""
    summary = seed_demo(weeks_back=0)
    assert summary.loaded
    return Demo(db)
