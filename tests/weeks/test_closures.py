"""Canteens' closures: public holidays, school holidays of their zone, closures they declare."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.errors import InvalidInput
from pial.models import OrderLine, StandingOrderLine
from pial.weeks.closures import (
    closure_reason,
    closures_ahead,
    declare_closure,
    easter_sunday,
    public_holiday,
    school_holiday,
)
from pial.weeks.orders import OrderInput, save_orders


def test_easter_and_the_holidays_that_follow_it() -> None:
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    assert easter_sunday(2027) == dt.date(2027, 3, 28)
    assert easter_sunday(2038) == dt.date(2038, 4, 25)


def test_french_public_holidays(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert public_holiday(dt.date(2026, 4, 6)) == "Lundi de Pâques"
        assert public_holiday(dt.date(2026, 5, 14)) == "Ascension"
        assert public_holiday(dt.date(2026, 5, 25)) == "Lundi de Pentecôte"
        assert public_holiday(dt.date(2026, 11, 11)) == "Armistice 1918"
        assert public_holiday(dt.date(2026, 7, 14)) == "Fête nationale"
        assert public_holiday(dt.date(2026, 5, 15)) is None
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert public_holiday(dt.date(2026, 12, 25)) == "Christmas Day"


def test_school_holidays_of_zone_c(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert school_holiday(dt.date(2026, 12, 21), "C") == "Vacances de Noël"
        assert school_holiday(dt.date(2027, 1, 4), "C") is None  # back to school
        assert school_holiday(dt.date(2026, 12, 21), None) is None
        # Winter holidays differ by zone: zone C still off on 2 March 2026, zone A back.
        assert school_holiday(dt.date(2026, 3, 2), "C") == "Vacances d'hiver"
        assert school_holiday(dt.date(2026, 3, 2), "A") is None
        assert school_holiday(dt.date(2099, 12, 24), "C") is None  # beyond the calendar


@pytest.fixture
def school(make_canteen: Any) -> Any:
    """A primary school of zone C."""
    return make_canteen(name="École de Luchon", kind="school", school_zone="C")


@pytest.fixture
def nursing_home(make_canteen: Any) -> Any:
    """A nursing home: open during school holidays."""
    return make_canteen(name="EHPAD des Thermes", kind="nursing_home")


def test_standing_orders_skip_closed_days(
    db: Session, school: Any, nursing_home: Any, products: dict[str, Any]
) -> None:
    from pial.weeks.opening import open_week

    carrot = products["carotte"]
    for canteen in (school, nursing_home):
        for weekday in (1, 4):
            db.add(StandingOrderLine(
                canteen_id=canteen.id, product_id=carrot.id, weekday=weekday,
                quantity=Decimal(10),
            ))  # fmt: skip
    db.commit()
    # Week 52: Christmas holidays (zone C) on Monday 21 and Thursday 24 December.
    open_week("2026-W52")
    # Week 20 of 2026: Thursday 14 May is Ascension Day, Monday 11 May a school day.
    open_week("2026-W20")
    lines = db.scalars(select(OrderLine).order_by(OrderLine.day, OrderLine.canteen_id)).all()
    assert [(line.canteen.name, line.day) for line in lines] == [
        ("École de Luchon", dt.date(2026, 5, 11)),
        ("EHPAD des Thermes", dt.date(2026, 5, 11)),
        ("EHPAD des Thermes", dt.date(2026, 12, 21)),
        ("EHPAD des Thermes", dt.date(2026, 12, 24)),
    ]


def test_an_order_on_a_closed_day_is_refused_naming_the_day(
    app: Any, db: Session, school: Any, make_user: Any, products: dict[str, Any]
) -> None:
    from pial.weeks.opening import open_week

    manager = make_user("canteen", canteen_id=school.id)
    week = open_week("2026-W49")
    db.add(OrderLine(week_id=week.id, canteen_id=school.id, product_id=products["carotte"].id,
                     day=dt.date(2026, 12, 3), quantity=Decimal(4)))  # copied standing order
    db.commit()
    _, withdrawn = declare_closure(manager, school.id, dt.date(2026, 12, 3), dt.date(2026, 12, 3),
                                   "Sortie au ski")  # fmt: skip
    assert withdrawn == 1  # the line of the closed day went with the declaration
    carrot = products["carotte"].id
    with (
        app.test_request_context("/", headers={"Accept-Language": "fr"}),
        pytest.raises(InvalidInput) as refused,
    ):
        save_orders(manager, school.id, "2026-W49", [
            OrderInput(carrot, Decimal(5), dt.date(2026, 11, 30)),
            OrderInput(carrot, Decimal(5), dt.date(2026, 12, 3)),
        ])  # fmt: skip
    assert "est fermée le jeudi 3 décembre 2026 (Sortie au ski)" in str(refused.value)
    assert db.scalars(select(OrderLine)).all() == []  # nothing half-saved


def test_closures_ahead_group_days_by_reason(
    app: Any, db: Session, school: Any, nursing_home: Any, make_user: Any
) -> None:
    db.refresh(school)
    days = [dt.date(2026, 12, 14), dt.date(2026, 12, 17), dt.date(2026, 12, 21),
            dt.date(2026, 12, 24), dt.date(2026, 12, 28), dt.date(2026, 12, 31),
            dt.date(2027, 1, 4)]  # fmt: skip
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        spans = [(s.canteen.name, s.first_day, s.last_day, s.reason) for s in closures_ahead(days)]
        assert closure_reason(nursing_home, dt.date(2026, 12, 25)) == "Noël"
    assert spans == [
        ("École de Luchon", dt.date(2026, 12, 21), dt.date(2026, 12, 31), "Vacances de Noël"),
    ]


def test_canteen_manager_declares_and_removes_a_closure(
    client: Any, db: Session, login: Any, make_user: Any, school: Any, clock: Any
) -> None:
    manager = make_user("canteen", canteen_id=school.id)
    login(manager)
    page = client.get("/fermetures").get_data(as_text=True)
    assert "Fermetures de École de Luchon" in page
    assert re.search(r'<option (selected )?value="C"( selected)?>', page).group(0) != (  # type: ignore[union-attr]
        '<option value="C">'
    )
    refused = client.post("/fermetures", data={
        "start_date": "2026-12-10", "end_date": "2026-12-08", "reason": "Travaux"})
    assert refused.status_code == 422
    assert "La fin doit être le même jour que le début ou après." in refused.get_data(as_text=True)
    saved = client.post("/fermetures", data={
        "start_date": "2026-12-07", "end_date": "2026-12-10", "reason": "Travaux en cuisine"},
        follow_redirects=True)  # fmt: skip
    page = saved.get_data(as_text=True)
    assert "Fermeture enregistrée." in page
    # The coming closed delivery days: Monday 7 and Thursday 10 December.
    assert "du lundi 7 décembre au jeudi 10 décembre — Travaux en cuisine" in page
    db.expire_all()
    closure = school.closures[0]
    removed = client.post(f"/fermetures/{closure.id}/retirer", follow_redirects=True)
    assert "Fermeture retirée." in removed.get_data(as_text=True)
    db.expire_all()
    assert school.closures == []
    client.post("/fermetures/zone", data={"zone": ""})
    db.expire_all()
    assert school.school_zone is None


def test_another_canteen_cannot_touch_the_closures(
    client: Any, login: Any, make_user: Any, school: Any, nursing_home: Any
) -> None:
    login(make_user("canteen", canteen_id=nursing_home.id))
    assert client.get(f"/fermetures?cantine={school.id}").status_code == 403


def test_the_order_page_shows_a_closed_day_without_inputs(
    client: Any, db: Session, login: Any, make_user: Any, school: Any,
    products: dict[str, Any],
) -> None:  # fmt: skip
    from pial.weeks.opening import open_week

    open_week("2026-W52")
    login(make_user("canteen", canteen_id=school.id))
    page = client.get("/semaine/2026-W52/commande").get_data(as_text=True)
    assert "lundi 21 décembre</strong> : École de Luchon est fermée (Vacances de Noël)" in page
    assert f"q-{products['carotte'].id}-2026-12-21" not in page
    assert "Aucun jour de livraison" not in page  # closed, not « no delivery day »
    client.post("/semaine/2026-W52/commande", data={f"q-{products['carotte'].id}-2026-12-21": "5"})
    assert db.scalars(select(OrderLine)).all() == []


def test_growers_see_the_closures_ahead_on_their_week_page(
    client: Any, login: Any, make_user: Any, school: Any, nursing_home: Any,
    products: dict[str, Any],
) -> None:  # fmt: skip
    from pial.weeks.opening import open_week

    open_week("2026-W51")
    login(make_user("grower"))
    page = client.get("/semaine/2026-W51/offre").get_data(as_text=True)
    assert "Cantines fermées à venir" in page
    assert (
        "du lundi 21 décembre au jeudi 31 décembre</strong> (Vacances de Noël) : École de Luchon"
    ) in page
    assert "vendredi 25 décembre" not in page  # not a delivery day
    assert "EHPAD des Thermes" not in page
