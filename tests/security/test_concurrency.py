"""Concurrent edits and runs: the second saver of an offer or order is told, nothing is lost;
two allocation runs of one week started at once through the API are serialised.
"""

from __future__ import annotations

import html
import re
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pial.db import get_database, get_session
from pial.models import AllocationRun, AvailabilityLine, OrderLine, User
from tests.allocation.scenario import ISO_WEEK, MONDAY, Scenario, build_scenario
from tests.conftest import make_app

VERSION = re.compile(r'name="version" value="([^"]*)"')


def _version(page: Any) -> str:
    match = VERSION.search(page.get_data(as_text=True))
    assert match is not None
    return html.unescape(match.group(1))


def test_second_offer_save_from_the_page_is_refused_with_the_other_change(
    open_scenario: Scenario, session_client: Any, db: Any
) -> None:
    scenario = open_scenario
    week, farm = scenario.iso_week, scenario.farms["luchon"]
    carrot = scenario.products["carotte"].id
    url = f"/semaine/{week}/offre?ferme={farm.id}"
    grower, lead = session_client(scenario.growers["luchon"]), session_client(scenario.lead)
    grower_version = _version(grower.get(url))
    lead_version = _version(lead.get(url))
    assert grower_version == lead_version

    saved = grower.post(url, data={"version": grower_version, f"q-{carrot}": "41"})
    assert saved.status_code == 302
    late = lead.post(url, data={"version": lead_version, f"q-{carrot}": "7"})
    assert late.status_code == 409
    text = html.unescape(late.get_data(as_text=True))
    assert "Vos modifications n'ont pas été enregistrées" in text
    assert scenario.growers["luchon"].display_name in text
    assert "Valeur enregistrée entre-temps : 41" in text
    quantity = db.scalar(select(AvailabilityLine.quantity).where(
        AvailabilityLine.farm_id == farm.id, AvailabilityLine.product_id == carrot))
    assert quantity == Decimal(41)


def test_second_order_save_is_refused_on_the_page_and_in_the_api(
    open_scenario: Scenario, session_client: Any, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    week, canteen = scenario.iso_week, scenario.canteens["luchon"]
    carrot = scenario.products["carotte"].id
    url = f"/semaine/{week}/commande?cantine={canteen.id}"
    manager, lead = session_client(scenario.managers["luchon"]), session_client(scenario.lead)
    stale = _version(lead.get(url))
    api_url = f"/api/v1/weeks/{week}/canteens/{canteen.id}/orders"
    api_version = manager.get(api_url, headers=bearer(scenario.managers["luchon"])).get_json()
    assert api_version["version"] == stale

    cell = f"q-{carrot}-{MONDAY.isoformat()}"
    saved = manager.post(url, data={"version": _version(manager.get(url)), cell: "45"})
    assert saved.status_code == 302
    late_page = lead.post(url, data={"version": stale, cell: "5"})
    assert late_page.status_code == 409
    assert "Valeur enregistrée entre-temps : 45" in html.unescape(late_page.get_data(as_text=True))

    late_api = lead.put(api_url, headers=bearer(scenario.lead), json={
        "version": stale,
        "lines": [{"product_id": carrot, "day": MONDAY.isoformat(), "quantity": 5}],
    })
    assert late_api.status_code == 409
    problem = late_api.get_json()
    assert problem["changed_by"] == scenario.managers["luchon"].display_name
    assert {"product_id": carrot, "day": MONDAY.isoformat(), "quantity": "45"} in (
        problem["current_lines"]
    )
    quantity = db.scalar(select(OrderLine.quantity).where(
        OrderLine.canteen_id == canteen.id, OrderLine.product_id == carrot,
        OrderLine.day == MONDAY))
    assert quantity == Decimal(45)


def test_two_api_runs_of_one_week_at_once_are_serialised(fresh_url: str, tmp_path: Path) -> None:
    from pial.api.tokens import create_token

    app = make_app(fresh_url, tmp_path / "instance")
    counter = iter(range(1, 100))

    def make_user(role: str, **values: Any) -> User:
        number = next(counter)
        user = User(role=role, email=f"c{number}@exemple.fr", display_name=f"C {number}", **values)
        get_session().add(user)
        return user

    try:
        with app.app_context():
            scenario = build_scenario(get_session(), make_user)
            secrets = [
                create_token(scenario.lead, "a").secret,
                create_token(scenario.growers["stgaudens"], "b").secret,
            ]
        start = threading.Barrier(2)
        statuses: list[int] = []
        errors: list[BaseException] = []

        def run(secret: str) -> None:
            try:
                client = app.test_client()
                start.wait(timeout=30)
                answer = client.post(f"/api/v1/weeks/{ISO_WEEK}/runs",
                                     headers={"Authorization": f"Bearer {secret}"})
                statuses.append(answer.status_code)
            except BaseException as error:  # reported to the test thread below
                errors.append(error)

        threads = [threading.Thread(target=run, args=(secret,)) for secret in secrets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert statuses == [201, 201]
        with app.app_context():
            runs = get_session().scalars(select(AllocationRun)).all()
            assert sorted(run.sequence for run in runs) == [1, 2]
    finally:
        get_database(app).engine.dispose()
