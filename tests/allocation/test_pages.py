"""The planning pages through HTTP: review, run, lock, publish, crop failure, refusals."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import AllocationRun, ManualLock, Platform, WeekState
from tests.allocation.scenario import MONDAY, Scenario

REVIEW = "/semaines/2026-W48/planning"


def test_lead_runs_and_publishes_through_the_pages(
    db: Session, scenario: Scenario, login: Any
) -> None:
    client = login(scenario.lead)
    page = client.get(REVIEW)
    assert page.status_code == 200
    assert "Aucune répartition" in page.get_data(as_text=True)

    response = client.post(f"{REVIEW}/repartir")
    assert response.status_code == 303
    page = client.get(REVIEW).get_data(as_text=True)
    assert "Répartition n°1" in page and "Cité scolaire Luchon" in page
    assert "Publier cette répartition" in page

    run = db.scalars(select(AllocationRun)).one()
    unconfirmed = client.post(f"{REVIEW}/publier", data={"run_id": str(run.id)})
    assert unconfirmed.status_code == 422
    assert "Cochez la case pour confirmer" in unconfirmed.get_data(as_text=True)
    assert run.published_version is None
    response = client.post(f"{REVIEW}/publier", data={"run_id": str(run.id), "confirm": "y"})
    assert response.status_code == 303
    db.refresh(scenario.week)
    assert scenario.week.state == WeekState.PUBLISHED
    assert "version 1" in client.get(REVIEW).get_data(as_text=True)
    # A second publication of the same week is refused with the reason.
    again = client.post(f"{REVIEW}/publier", data={"run_id": str(run.id), "confirm": "y"})
    assert again.status_code == 409
    assert "déjà publié" in again.get_data(as_text=True)


def test_a_run_cut_short_by_the_time_limit_says_so_on_the_review_page(
    db: Session, scenario: Scenario, login: Any
) -> None:
    client = login(scenario.lead)
    assert client.post(f"{REVIEW}/repartir").status_code == 303
    page = client.get(REVIEW).get_data(as_text=True)
    assert "Répartition n°1" in page
    assert "a atteint son temps maximal" not in page

    # A thousandth of a second: the solver passes its safety net before it searches at all.
    db.scalars(select(Platform)).one().time_limit_s = 0.001
    db.flush()
    assert client.post(f"{REVIEW}/repartir").status_code == 303

    page = client.get(REVIEW).get_data(as_text=True)
    assert "Répartition n°2" in page
    assert "Le calcul a atteint son temps maximal et a pu être écourté" in page
    assert "« Temps de calcul maximal » dans les paramètres de la plateforme" in page
    # The earlier run, shown again, did not reach it.
    first = db.scalars(select(AllocationRun).where(AllocationRun.sequence == 1)).one()
    earlier = client.get(f"{REVIEW}?run={first.id}").get_data(as_text=True)
    assert "Répartition n°1" in earlier
    assert "a atteint son temps maximal" not in earlier


def test_lock_through_the_page_then_rerun_highlights_the_change(
    db: Session, scenario: Scenario, login: Any
) -> None:
    client = login(scenario.growers["stgaudens"])  # the week's coordinator
    assert client.post(f"{REVIEW}/repartir").status_code == 303
    farm = scenario.farms["montrejeau"]
    canteen = scenario.canteens["stgaudens"]
    carrot = scenario.products["carotte"]
    first = db.scalars(select(AllocationRun)).one()
    current = next((ln.quantity for ln in first.lines if (ln.farm_id, ln.canteen_id,
                    ln.product_id, ln.day) == (farm.id, canteen.id, carrot.id, MONDAY)),
                   Decimal(0))
    wanted = Decimal(10) if current != 10 else Decimal(20)
    response = client.post(f"{REVIEW}/verrous", data={
        "farm_id": farm.id, "canteen_id": canteen.id, "product_id": carrot.id,
        "day": MONDAY.isoformat(), "quantity": str(wanted),
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.scalars(select(ManualLock)).one().quantity == wanted
    assert client.post(f"{REVIEW}/repartir").status_code == 303

    page = client.get(REVIEW).get_data(as_text=True)
    assert "Répartition n°2" in page and 'class="num changed"' in page
    assert "Comparée à la répartition n°1" in page

    bad = client.post(f"{REVIEW}/verrous", data={
        "farm_id": farm.id, "canteen_id": canteen.id, "product_id": carrot.id,
        "day": MONDAY.isoformat(), "quantity": "9999",
    })
    assert bad.status_code == 422 and "dépasse la commande" in bad.get_data(as_text=True)
    # Quantities written the French way: « 9 999 », « 40 », never « 9999.000 ».
    said = re.search(r"Quantité : ([^<]*) dépasse la commande \(([^)]*)\)",
                     bad.get_data(as_text=True))
    assert said is not None
    assert said.group(1).replace("\u202f", " ").replace("\xa0", " ") == "9 999"
    assert "." not in said.group(2) and said.group(2).strip()


def test_planning_refusals(db: Session, scenario: Scenario, login: Any, client: Any) -> None:
    assert client.get(REVIEW).status_code == 302  # anonymous: to the sign-in page
    login(scenario.growers["luchon"])  # a grower, but not this week's coordinator
    assert client.get(REVIEW).status_code == 403
    refused = client.post(f"{REVIEW}/repartir")
    assert refused.status_code == 403
    assert db.scalars(select(AllocationRun)).all() == []
    client.post("/deconnexion")
    login(scenario.managers["luchon"])
    assert client.get(REVIEW).status_code == 403
    assert client.post(f"{REVIEW}/repartir").status_code == 403
    assert client.get("/semaines/2026-W01/planning").status_code in (403, 404)


def test_crop_failure_page(db: Session, scenario: Scenario, login: Any) -> None:
    from pial.allocation import services

    services.allocate_week(scenario.iso_week, scenario.lead)
    first = services.publish_week(scenario.iso_week, scenario.lead)
    carrot = scenario.products["carotte"]
    farm_id = next(ln.farm_id for ln in first.lines if ln.product_id == carrot.id)
    grower = next(u for u in scenario.growers.values() if u.farm_id == farm_id)
    client = login(grower)
    form = client.get("/semaines/2026-W48/perte-de-recolte").get_data(as_text=True)
    assert "Carotte" in form

    refused = client.post("/semaines/2026-W48/perte-de-recolte",
                          data={"product_id": carrot.id, "quantity_lost": "abc"})
    assert refused.status_code == 422 and "pas un nombre" in refused.get_data(as_text=True)

    planned = sum(ln.quantity for ln in first.lines
                  if ln.farm_id == farm_id and ln.product_id == carrot.id)
    too_much = client.post("/semaines/2026-W48/perte-de-recolte",
                           data={"product_id": carrot.id, "quantity_lost": str(planned + 1)})
    assert too_much.status_code == 422 and "au plus" in too_much.get_data(as_text=True)

    response = client.post("/semaines/2026-W48/perte-de-recolte",
                           data={"product_id": carrot.id, "quantity_lost": "10",
                                 "note": "Grêle"})
    assert response.status_code == 303
    page = client.get("/semaines/2026-W48/mes-livraisons").get_data(as_text=True)
    assert "Le planning a changé (version 2)" in page
    assert "ligne(s) changée(s)" in page and "rien n'a changé" not in page


def test_malformed_week_labels_are_not_found(scenario: Scenario, login: Any) -> None:
    client = login(scenario.lead)
    for path in ("/semaines/n-importe-quoi/planning", "/semaines/2026-W99/planning"):
        assert client.get(path).status_code == 404
        assert client.post(path + "/repartir").status_code == 404
    client.post("/deconnexion")
    client = login(scenario.growers["stgaudens"])
    assert client.get("/semaines/n-importe-quoi/perte-de-recolte").status_code == 404
    assert client.get("/semaines/n-importe-quoi/mes-livraisons").status_code == 404
    assert client.get("/semaines/n-importe-quoi/planning").status_code == 404


def test_a_grid_cell_links_to_the_prefilled_lock_form(
    db: Session, scenario: Scenario, login: Any
) -> None:
    from pial.allocation import services

    run = services.allocate_week(scenario.iso_week, scenario.lead)
    line = run.lines[0]
    client = login(scenario.lead)
    page = client.get(REVIEW).get_data(as_text=True)
    cell = f"case-{line.farm_id}-{line.canteen_id}-{line.product_id}-{line.day.isoformat()}"
    assert f'id="{cell}"' in page and f'id="q-{cell}"' in page  # a small form in the cell
    assert "Reste à l'offre par ferme" in page and "Reste à l'offre de cette ferme" in page
    in_place = client.post(f"{REVIEW}/verrous", data={
        "farm_id": line.farm_id, "canteen_id": line.canteen_id, "product_id": line.product_id,
        "day": line.day.isoformat(), "quantity": "7"})
    assert in_place.status_code == 303 and in_place.headers["Location"].endswith(f"#{cell}")
    lock = db.scalars(select(ManualLock)).one()
    assert lock.quantity == 7 and lock.farm_id == line.farm_id
    prefilled = client.get(REVIEW, query_string={
        "farm_id": line.farm_id, "canteen_id": line.canteen_id,
        "product_id": line.product_id, "day": line.day.isoformat(), "quantity": "12,5",
    }).get_data(as_text=True)
    assert 'value="12,5"' in prefilled
    assert f'<option selected value="{line.farm_id}">' in prefilled
    assert f'value="{line.day.isoformat()}"' in prefilled


def test_the_grid_script_gets_the_locked_cell_alone_or_the_french_refusal(
    db: Session, scenario: Scenario, login: Any
) -> None:
    from pial.allocation import services

    run = services.allocate_week(scenario.iso_week, scenario.lead)
    line = run.lines[0]
    client = login(scenario.lead)
    cell = f"case-{line.farm_id}-{line.canteen_id}-{line.product_id}-{line.day.isoformat()}"
    data = {"farm_id": line.farm_id, "canteen_id": line.canteen_id,
            "product_id": line.product_id, "day": line.day.isoformat()}
    fetch = {"X-Requested-With": "fetch"}

    refused = client.post(f"{REVIEW}/verrous", data={**data, "quantity": "-3"}, headers=fetch)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert text.startswith('<p class="cell-status" role="alert">') and "<html" not in text
    assert db.scalars(select(ManualLock)).first() is None
    missing = client.post(f"{REVIEW}/verrous", data={**data, "quantity": ""}, headers=fetch)
    assert missing.status_code == 422
    assert "Quantité" in missing.get_data(as_text=True)

    locked = client.post(f"{REVIEW}/verrous", data={**data, "quantity": "7"}, headers=fetch)
    assert locked.status_code == 200
    fragment = locked.get_data(as_text=True).strip()
    assert fragment.startswith('<td class="num') and f'id="{cell}"' in fragment
    assert "verrouillée à 7" in fragment and "Case verrouillée" in fragment
    assert "<html" not in fragment
    assert db.scalars(select(ManualLock)).one().quantity == 7
    # No flash left behind for the next page.
    assert "flash-success" not in client.get(REVIEW).get_data(as_text=True)
