"""Two people saving the same farm's offer at once: one wins, the other is told, nothing is lost.

Unlike the other tests this one commits for real (two threads, two sessions), so it builds its
own app on the session's database and deletes what it created at the end.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from tests.conftest import make_app

ISO_WEEK = "2031-W10"  # far from the weeks other tests use
CLOCK = dt.datetime(2031, 2, 24, 9, 0, tzinfo=dt.UTC)


def test_concurrent_saves_never_lose_an_update(database_url: str, tmp_path: Path) -> None:
    from pial.db import get_database, get_session
    from pial.models import AuditLog, AvailabilityLine, DeliveryWeek, Farm, Product, User
    from pial.weeks.offers import AvailabilityInput, farm_offer, save_availability
    from pial.weeks.opening import open_week
    from pial.weeks.saving import StaleVersion

    app = make_app(database_url, tmp_path / "instance", PIAL_CLOCK=lambda: CLOCK)
    ids: dict[str, Any] = {}
    try:
        with app.app_context():
            session = get_session()
            farm = Farm(name="Ferme concurrente", commune="Luchon", lat=42.8, lon=0.6)
            product = Product(slug="carotte-concurrente", name_fr="Carotte concurrente")
            session.add_all([farm, product])
            session.flush()
            users = [
                User(email=f"concurrent{n}@exemple.fr", display_name=f"Personne {n}",
                     role="grower", farm_id=farm.id)
                for n in (1, 2)
            ]  # fmt: skip
            session.add_all(users)
            session.commit()
            ids.update(farm=farm.id, product=product.id, users=[u.id for u in users])
            ids["week"] = open_week(ISO_WEEK).id
            # Both saves will update this same line.
            save_availability(None, farm.id, ISO_WEEK, [AvailabilityInput(product.id, Decimal(5))])
            version = farm_offer(farm.id, ISO_WEEK).version

        barrier = threading.Barrier(2)
        outcomes: dict[int, str] = {}

        def save(user_id: int, quantity: str) -> None:
            with app.app_context():
                session = get_session()
                user = session.get(User, user_id)
                session.commit()  # SQLite: do not hold the write lock while waiting
                barrier.wait(timeout=30)
                try:
                    save_availability(
                        user,
                        ids["farm"],
                        ISO_WEEK,
                        [AvailabilityInput(ids["product"], Decimal(quantity))],
                        expected_version=version,
                    )
                except StaleVersion:
                    outcomes[user_id] = "stale"
                else:
                    outcomes[user_id] = quantity

        threads = [
            threading.Thread(target=save, args=(user_id, quantity))
            for user_id, quantity in zip(ids["users"], ("11", "22"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(outcomes) == 2 and sorted(outcomes.values())[-1] == "stale", outcomes
        winner = next(value for value in outcomes.values() if value != "stale")
        with app.app_context():
            lines = get_session().scalars(
                select(AvailabilityLine).where(AvailabilityLine.farm_id == ids["farm"])
            )
            assert [line.quantity for line in lines] == [Decimal(winner)]
    finally:
        with app.app_context():
            session = get_session()
            if "farm" in ids:
                session.execute(
                    delete(AvailabilityLine).where(AvailabilityLine.farm_id == ids["farm"])
                )
                session.execute(delete(AuditLog).where(AuditLog.entity_id == str(ids["farm"])))
                session.execute(delete(AuditLog).where(AuditLog.actor_id.in_(ids["users"])))
                if "week" in ids:
                    session.execute(
                        delete(AuditLog).where(
                            AuditLog.entity_type == "DeliveryWeek",
                            AuditLog.entity_id == str(ids["week"]),
                        )
                    )
                    session.execute(delete(DeliveryWeek).where(DeliveryWeek.id == ids["week"]))
                session.execute(delete(User).where(User.id.in_(ids["users"])))
                session.execute(delete(Product).where(Product.id == ids["product"]))
                session.execute(delete(Farm).where(Farm.id == ids["farm"]))
                session.commit()
        get_database(app).engine.dispose()
