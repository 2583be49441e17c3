"""The API answers a refusal in the user's language: the service's own words, in full."""

from __future__ import annotations

from typing import Any

from tests.allocation.scenario import Scenario


def _other_farm_offer(scenario: Scenario) -> str:
    farm_id = scenario.farms["stgaudens"].id
    return f"/api/v1/weeks/{scenario.iso_week}/farms/{farm_id}/availability"


def test_a_refusal_reads_in_english_for_an_english_user(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    grower = open_scenario.growers["luchon"]
    grower.locale = "en"
    db.flush()
    url = _other_farm_offer(open_scenario)
    answer = client.put(url, headers=bearer(grower), json={"lines": []})
    problem = answer.get_json()
    assert answer.status_code == 403 and answer.headers["Content-Language"] == "en"
    assert problem["title"] == "Forbidden"
    assert problem["detail"] == "You can only change your own farm's offer."
    assert "detail_fr" not in problem


def test_a_refusal_reads_in_french_for_a_french_user(
    client: Any, open_scenario: Scenario, bearer: Any
) -> None:
    grower = open_scenario.growers["luchon"]
    url = _other_farm_offer(open_scenario)
    answer = client.put(url, headers=bearer(grower), json={"lines": []})
    problem = answer.get_json()
    assert problem["title"] == "Accès refusé"
    assert problem["detail"] == "Vous ne pouvez modifier que l'offre de votre propre ferme."


def test_unknown_week_in_english_names_the_week(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    grower = open_scenario.growers["luchon"]
    grower.locale = "en"
    db.flush()
    farm_id = open_scenario.farms["luchon"].id
    answer = client.get(
        f"/api/v1/weeks/2099-W01/farms/{farm_id}/availability", headers=bearer(grower)
    )
    assert answer.status_code == 404
    assert answer.get_json()["detail"] == "Week 2099-W01 does not exist yet."
