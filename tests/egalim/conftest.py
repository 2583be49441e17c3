"""Fixtures of the EGalim tests: the allocation scenario's week, delivered, on a moving clock.

The week is planned, published, received (some lines short) and marked delivered on the
scenario's clock (Saturday 21 November 2026); the clock then moves to 1 December 2026, when
every one of its delivery days has passed. Canteens get test SIRETs, farms certificates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.models import AllocationLine, CertificationLabel, FarmCertificate, Platform
from tests.allocation.scenario import AFTER_CLOSE, Scenario, build_scenario
from tests.money.conftest import deliver

AFTER_DELIVERY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SIRETS = {"luchon": "21310329600017", "stgaudens": "21310483100010"}
"""Test SIRETs (Luhn-valid, made up)."""


@dataclass
class Clock:
    """The app's clock, which a test may move."""

    now: dt.datetime = AFTER_CLOSE

    def __call__(self) -> dt.datetime:
        """Return the current test time."""
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock starting on the scenario's Saturday."""
    return Clock()


@pytest.fixture
def app_config(clock: Clock) -> dict[str, Any]:
    """Run the app on the test's clock."""
    return {"PIAL_CLOCK": clock}


def certify(farm: Any, label: str, since: dt.date, until: dt.date | None = None,
            *, in_conversion: bool = False) -> FarmCertificate:  # fmt: skip
    """Add a certificate to a farm."""
    certificate = FarmCertificate(label=CertificationLabel(label), body="Ecocert France",
                                  number=f"FR-BIO-01-{farm.id}", valid_from=since,
                                  valid_until=until, in_conversion=in_conversion)  # fmt: skip
    farm.certificates.append(certificate)
    return certificate


@pytest.fixture
def delivered(db: Session, make_user: Any, clock: Clock) -> Callable[..., Scenario]:
    """Return a builder: the scenario delivered with some receipts short, then December."""

    def build(short_by: dict[int, str] | None = None) -> Scenario:
        scenario = build_scenario(db, make_user)
        for key, siret in SIRETS.items():
            scenario.canteens[key].siret = siret
        for farm in scenario.farms.values():
            certify(farm, "BIO", dt.date(2015, 1, 1))
        db.commit()
        deliver(scenario, short_by)
        clock.now = AFTER_DELIVERY
        return scenario

    return build


def lines_of(db: Session, scenario: Scenario) -> list[AllocationLine]:
    """Return the lines of the scenario's published plan, by id."""
    from pial.allocation.services import published_run

    run = published_run(scenario.week)
    assert run is not None
    return sorted(run.lines, key=lambda line: line.id)


def set_radius(db: Session, km: int) -> None:
    """Set the platform's local radius."""
    platform = db.get(Platform, 1)
    assert platform is not None
    platform.local_radius_km = km
    db.commit()
