"""The coordinator rotation: fairness, no repeats, kept history, swaps, the page and the CLI."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from pial.errors import Conflict, Forbidden
from pial.models import AuditLog, CoordinatorSwap, SwapState
from pial.rotation import services
from pial.rotation.services import choose_rotation
from pial.weeks import calendar


def farms_in_order(assignments: list[Any]) -> list[int]:
    """Return the farm ids of assignments, week by week."""
    return [a.farm_id for a in sorted(assignments, key=lambda a: a.week.monday_date)]


def assert_fair(sequence: list[int], farm_ids: list[int]) -> None:
    """Counts differ by at most one; no farm twice in a row (with two farms or more)."""
    counts = Counter(sequence)
    all_counts = [counts.get(farm_id, 0) for farm_id in farm_ids]
    assert max(all_counts) - min(all_counts) <= 1, all_counts
    if len(farm_ids) >= 2:
        assert all(a != b for a, b in itertools.pairwise(sequence)), sequence


@given(num_farms=st.integers(1, 9), num_weeks=st.integers(1, 60))
def test_choose_rotation_is_fair_and_never_repeats(num_farms: int, num_weeks: int) -> None:
    farm_ids = list(range(100, 100 + num_farms))
    sequence = choose_rotation(farm_ids, [None] * num_weeks)
    assert_fair(sequence, farm_ids)


def test_generate_rotation_over_a_season(db: Any, make_user: Any, make_farm: Any) -> None:
    lead = make_user("lead")
    farms = [make_farm() for _ in range(4)]
    make_farm(is_active=False)
    assignments = services.generate_rotation("2026-W48", "2027-W26", lead)
    assert len(assignments) == 32  # 2026 has 53 ISO weeks
    assert_fair(farms_in_order(assignments), [farm.id for farm in farms])
    assert calendar.coordinator_of("2026-W48") is not None
    assert db.scalar(select(AuditLog).where(AuditLog.action == "rotation.generate")) is not None


def test_coordinators_of_many_weeks_in_one_call(db: Any, make_user: Any, make_farm: Any) -> None:
    lead = make_user("lead")
    for _ in range(3):
        make_farm()
    services.generate_rotation("2026-W48", "2027-W02", lead)
    weeks = ["2026-W47", "2026-W48", "2026-W50", "2027-W02", "2027-W03"]
    found = calendar.coordinators_of(weeks)
    assert set(found) == {"2026-W48", "2026-W50", "2027-W02"}  # W47 and W03 have nobody
    assert all(found[week] == calendar.coordinator_of(week) for week in found)
    assert calendar.coordinators_of([]) == {}


def test_regeneration_keeps_weeks_that_have_begun(
    db: Any, clock: Any, make_user: Any, make_farm: Any
) -> None:
    lead = make_user("lead")
    farms = [make_farm() for _ in range(3)]
    first = farms_in_order(services.generate_rotation("2026-W45", "2026-W52", lead))
    farms.append(make_farm())  # a new farm joins
    second = farms_in_order(services.generate_rotation("2026-W45", "2026-W52", lead))
    # Weeks 45, 46 and 47 have begun on 16 November: their coordinators stay.
    assert second[:3] == first[:3]
    assert farms[-1].id in second[3:]
    assert all(a != b for a, b in itertools.pairwise(second))


def test_only_the_lead_generates(db: Any, make_user: Any, make_farm: Any) -> None:
    make_farm()
    with pytest.raises(Forbidden):
        services.generate_rotation("2026-W48", "2026-W50", make_user("grower"))


def test_is_coordinator(db: Any, make_user: Any, make_farm: Any) -> None:
    farm_a, farm_b = make_farm(name="A"), make_farm(name="B")
    services.generate_rotation("2026-W48", "2026-W49", None)
    coordinator = calendar.coordinator_of("2026-W48")
    assert coordinator is not None
    grower = make_user("grower", farm=coordinator)
    other = make_user("grower", farm=farm_b if coordinator.id == farm_a.id else farm_a)
    assert services.is_coordinator(grower, "2026-W48")
    assert not services.is_coordinator(other, "2026-W48")
    assert services.is_coordinator(other, "2026-W49")
    assert not services.is_coordinator(make_user("lead"), "2026-W48")
    assert not services.is_coordinator(grower, "2026-W30")


def test_swap_flow(db: Any, make_user: Any, make_farm: Any) -> None:
    make_farm(name="A"), make_farm(name="B")
    services.generate_rotation("2026-W48", "2026-W49", None)
    farm_48 = calendar.coordinator_of("2026-W48")
    farm_49 = calendar.coordinator_of("2026-W49")
    assert farm_48 is not None and farm_49 is not None
    asker = make_user("grower", farm=farm_48)
    answerer = make_user("grower", farm=farm_49)
    with pytest.raises(Forbidden):
        services.request_swap(answerer, "2026-W48", "2026-W49")
    swap = services.request_swap(asker, "2026-W48", "2026-W49")
    with pytest.raises(Conflict, match="déjà demandé"):
        services.request_swap(asker, "2026-W48", "2026-W49")
    with pytest.raises(Forbidden, match="Seul un producteur de la ferme sollicitée"):
        services.answer_swap(asker, swap.id, True)
    services.answer_swap(answerer, swap.id, True)
    assert calendar.coordinator_of("2026-W48") == farm_49
    assert calendar.coordinator_of("2026-W49") == farm_48
    assert swap.state == SwapState.ACCEPTED and swap.decided_by_id == answerer.id
    with pytest.raises(Conflict, match="déjà reçu une réponse"):
        services.answer_swap(answerer, swap.id, False)
    refused = services.request_swap(answerer, "2026-W48", "2026-W49")
    services.answer_swap(asker, refused.id, False)
    assert refused.state == SwapState.REFUSED
    assert calendar.coordinator_of("2026-W48") == farm_49
    audit = set(db.scalars(select(AuditLog.action).where(AuditLog.action.like("rotation.%"))))
    assert {"rotation.request_swap", "rotation.accept_swap", "rotation.refuse_swap"} <= audit


def test_weeks_that_have_begun_are_not_swapped(db: Any, make_user: Any, make_farm: Any) -> None:
    make_farm(name="A"), make_farm(name="B")
    services.generate_rotation("2026-W47", "2026-W48", None)
    farm_47 = calendar.coordinator_of("2026-W47")
    with pytest.raises(Conflict, match="La semaine 47 a commencé"):
        services.request_swap(make_user("grower", farm=farm_47), "2026-W47", "2026-W48")


def test_rotation_page_and_swap_through_http(
    client: Any, db: Any, login: Any, make_user: Any, make_farm: Any
) -> None:
    make_farm(name="Ferme des Aulnes"), make_farm(name="Ferme du Lac")
    services.generate_rotation("2026-W48", "2026-W49", None)
    farm_48 = calendar.coordinator_of("2026-W48")
    farm_49 = calendar.coordinator_of("2026-W49")
    assert farm_48 is not None and farm_49 is not None
    asker = make_user("grower", farm=farm_48)
    answerer = make_user("grower", farm=farm_49)
    login(make_user("canteen"))
    html = client.get("/rotation").get_data(as_text=True)
    assert "Ferme des Aulnes" in html and "Ferme du Lac" in html
    assert "Demander l'échange" not in html and "Établir la rotation" not in html
    client.post("/deconnexion")
    login(asker)
    assert "Demander l'échange" in client.get("/rotation").get_data(as_text=True)
    response = client.post(
        "/rotation/echanges",
        data={"my_week": "2026-W48", "other_week": "2026-W49"},
        follow_redirects=True,
    )
    assert "Demande d&#39;échange envoyée" in response.get_data(as_text=True)
    swap = db.scalar(select(CoordinatorSwap))
    assert (
        client.post(
            f"/rotation/echanges/{swap.id}/reponse", data={"answer": "accepter"}
        ).status_code
        == 403
    )
    client.post("/deconnexion")
    login(answerer)
    assert "propose de vous donner la semaine 48" in client.get("/rotation").get_data(as_text=True)
    response = client.post(
        f"/rotation/echanges/{swap.id}/reponse", data={"answer": "accepter"}, follow_redirects=True
    )
    assert "Échange accepté" in response.get_data(as_text=True)
    db.expire_all()
    assert calendar.coordinator_of("2026-W48") == farm_49


def test_lead_generates_from_the_page(
    client: Any, login: Any, make_user: Any, make_farm: Any
) -> None:
    make_farm(), make_farm(), make_farm()
    login(make_user("lead"))
    response = client.post(
        "/rotation/generer",
        data={"first_week": "2026-W48", "last_week": "2026-W53"},
        follow_redirects=True,
    )
    assert "Rotation établie pour 6 semaines" in response.get_data(as_text=True)
    response = client.post(
        "/rotation/generer",
        data={"first_week": "2026-W50", "last_week": "2026-W48"},
        follow_redirects=True,
    )
    assert "La dernière semaine précède la première" in response.get_data(as_text=True)


def test_grower_cannot_generate(client: Any, login: Any, make_user: Any) -> None:
    login(make_user("grower"))
    response = client.post(
        "/rotation/generer", data={"first_week": "2026-W48", "last_week": "2026-W49"}
    )
    assert response.status_code == 403
