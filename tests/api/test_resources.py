"""The API's resources through bearer tokens: offers, orders, runs, publication, receipts…"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from pial.allocation.services import allocate_week, publish_week
from pial.models import AllocationLine, AvailabilityLine, OrderLine, Receipt
from tests.allocation.scenario import MONDAY, THURSDAY, Scenario

PROBLEM = "application/problem+json"


def offer_url(scenario: Scenario, farm: str) -> str:
    return f"/api/v1/weeks/{scenario.iso_week}/farms/{scenario.farms[farm].id}/availability"


def orders_url(scenario: Scenario, canteen: str) -> str:
    return f"/api/v1/weeks/{scenario.iso_week}/canteens/{scenario.canteens[canteen].id}/orders"


def test_me_acts_as_the_tokens_user_and_sets_no_cookie(
    client: Any, scenario: Scenario, bearer: Any
) -> None:
    grower = scenario.growers["luchon"]
    answer = client.get("/api/v1/me", headers=bearer(grower))
    assert answer.status_code == 200
    assert answer.get_json()["role"] == "grower"
    assert answer.get_json()["farm_id"] == scenario.farms["luchon"].id
    assert "Set-Cookie" not in answer.headers


def test_anonymous_and_bad_tokens_get_401_problems(client: Any, scenario: Scenario) -> None:
    for headers in ({}, {"Authorization": "Bearer pial_nope"}, {"Authorization": "Basic eDp5"}):
        answer = client.get("/api/v1/weeks", headers=headers)
        assert answer.status_code == 401
        assert answer.content_type == PROBLEM
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.get_json()["title"] == "Authentification requise"


def test_grower_reads_and_saves_own_offer_with_versions(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.growers["luchon"])
    offer = client.get(offer_url(scenario, "luchon"), headers=headers).get_json()
    assert {line["quantity"] for line in offer["lines"]} == {"60", "30", "80"}
    carrot = scenario.products["carotte"].id
    answer = client.put(
        offer_url(scenario, "luchon"),
        headers=headers,
        json={"version": offer["version"], "lines": [{"product_id": carrot, "quantity": 75.5}]},
    )
    assert answer.status_code == 200, answer.get_json()
    saved = answer.get_json()
    assert [(line["product_id"], line["quantity"]) for line in saved["lines"]] == [
        (carrot, "75.5")
    ]
    assert saved["version"] != offer["version"]
    lines = db.scalars(
        select(AvailabilityLine).where(AvailabilityLine.farm_id == scenario.farms["luchon"].id)
    ).all()
    assert [(ln.product_id, ln.quantity) for ln in lines] == [(carrot, Decimal("75.5"))]


def test_second_save_on_a_stale_version_gets_409_with_the_other_change(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    grower, lead = scenario.growers["luchon"], scenario.lead
    url = offer_url(scenario, "luchon")
    version = client.get(url, headers=bearer(grower)).get_json()["version"]
    carrot = scenario.products["carotte"].id
    first = client.put(url, headers=bearer(lead),
                       json={"version": version, "lines": [{"product_id": carrot, "quantity": 10}]})
    assert first.status_code == 200
    body = {"version": version, "lines": [{"product_id": carrot, "quantity": 99}]}
    second = client.put(url, headers=bearer(grower), json=body)
    assert second.status_code == 409
    assert second.content_type == PROBLEM
    problem = second.get_json()
    assert problem["changed_by"] == lead.display_name
    assert "n'ont pas été enregistrées" in problem["detail"]
    assert problem["current_lines"] == [{"product_id": carrot, "day": None, "quantity": "10"}]
    assert problem["current_version"] == first.get_json()["version"]
    line = db.scalar(select(AvailabilityLine).where(
        AvailabilityLine.farm_id == scenario.farms["luchon"].id))
    assert line.quantity == Decimal(10)  # the first save is kept, the second wrote nothing


def test_a_grower_cannot_read_or_change_another_farms_offer(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.growers["luchon"])
    url = offer_url(scenario, "stgaudens")
    assert client.get(url, headers=headers).status_code == 403
    answer = client.put(url, headers=headers, json={"lines": []})
    assert answer.status_code == 403 and answer.content_type == PROBLEM
    remaining = db.scalars(select(AvailabilityLine).where(
        AvailabilityLine.farm_id == scenario.farms["stgaudens"].id)).all()
    assert len(remaining) == 2


def test_invalid_bodies_get_422_naming_the_fields_in_french_or_english(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.growers["luchon"])
    url = offer_url(scenario, "luchon")
    body = {"lines": [{"product_id": "carotte", "quantity": -1}], "colour": "red"}
    french = client.put(url, headers=headers, json=body)
    assert french.status_code == 422 and french.content_type == PROBLEM
    problem = french.get_json()
    assert problem["title"] == "Données invalides"
    assert problem["errors"]["lines"]["0"]["product_id"] == ["Nombre entier attendu."]
    assert "quantity" in problem["errors"]["lines"]["0"]
    assert problem["errors"]["colour"] == ["Champ inconnu."]
    scenario.growers["luchon"].locale = "en"  # the user's saved language wins
    db.flush()
    english = client.put(url, headers=headers, json=body)
    assert english.get_json()["title"] == "Invalid data"
    assert english.get_json()["errors"]["colour"] == ["Unknown field."]
    anonymous = client.get("/api/v1/weeks", headers={"Accept-Language": "en"})
    assert anonymous.get_json()["title"] == "Authentication required"


def test_service_refusals_name_the_rows(
    client: Any, open_scenario: Scenario, bearer: Any
) -> None:
    scenario = open_scenario
    carrot = scenario.products["carotte"].id
    version = client.get(orders_url(scenario, "luchon"), headers=bearer(
        scenario.managers["luchon"])).get_json()["version"]
    answer = client.put(
        orders_url(scenario, "luchon"),
        headers=bearer(scenario.managers["luchon"]),
        json={"version": version, "lines": [{"product_id": carrot, "day": "2026-11-24",
                                         "quantity": 5}]},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "lines[0]" in answer.get_json()["errors"]


def test_canteen_orders_and_another_canteens_orders(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.managers["luchon"])
    orders = client.get(orders_url(scenario, "luchon"), headers=headers).get_json()
    assert len(orders["lines"]) == 3
    carrot = scenario.products["carotte"].id
    saved = client.put(
        orders_url(scenario, "luchon"),
        headers=headers,
        json={"version": orders["version"],
              "lines": [{"product_id": carrot, "day": MONDAY.isoformat(), "quantity": 12}]},
    )
    assert saved.status_code == 200
    assert client.get(orders_url(scenario, "stgaudens"), headers=headers).status_code == 403
    put = client.put(orders_url(scenario, "stgaudens"), headers=headers, json={"lines": []})
    assert put.status_code == 403
    assert db.scalar(select(OrderLine).where(
        OrderLine.canteen_id == scenario.canteens["stgaudens"].id)) is not None


def test_run_publish_deliver_and_receive(client: Any, scenario: Scenario, bearer: Any) -> None:
    coordinator = bearer(scenario.growers["stgaudens"])
    week = scenario.iso_week
    assert client.post(f"/api/v1/weeks/{week}/runs",
                       headers=bearer(scenario.growers["luchon"])).status_code == 403
    created = client.post(f"/api/v1/weeks/{week}/runs", headers=coordinator)
    assert created.status_code == 201, created.get_json()
    run = created.get_json()
    assert run["status"] in {"optimal", "feasible"} and run["lines"]
    assert run["time_limit_reached"] is False  # this small week stops on its work limits
    listed = client.get(f"/api/v1/weeks/{week}/runs", headers=coordinator).get_json()
    assert [r["id"] for r in listed] == [run["id"]]
    assert listed[0]["time_limit_reached"] is False
    published = client.post(f"/api/v1/weeks/{week}/publication", headers=coordinator, json={})
    assert published.status_code == 200 and published.get_json()["published_version"] == 1
    again = client.post(f"/api/v1/weeks/{week}/publication", headers=coordinator, json={})
    assert again.status_code == 409 and again.content_type == PROBLEM

    manager = bearer(scenario.managers["luchon"])
    canteen_id = scenario.canteens["luchon"].id
    deliveries = client.get(f"/api/v1/weeks/{week}/canteens/{canteen_id}/deliveries",
                            headers=manager).get_json()
    assert {day["day"] for day in deliveries["days"]} <= {MONDAY.isoformat(),
                                                          THURSDAY.isoformat()}
    line = deliveries["days"][0]["lines"][0]
    too_early = client.put(
        f"/api/v1/canteens/{canteen_id}/receipts/{line['allocation_line_id']}",
        headers=manager, json={"received_quantity": 1, "quality": "minor", "version": "0"})
    assert too_early.status_code == 422  # the delivery day has not come yet
    client.application.config["PIAL_CLOCK"] = lambda: dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    receipt = client.put(f"/api/v1/canteens/{canteen_id}/receipts/{line['allocation_line_id']}",
                         headers=manager,
                         json={"received_quantity": 1, "quality": "minor", "version": "0"})
    assert receipt.status_code == 200, receipt.get_json()
    assert receipt.get_json()["received_quantity"] == "1"

    other_canteen = scenario.canteens["stgaudens"].id
    intruder = bearer(scenario.managers["stgaudens"])
    assert client.get(f"/api/v1/weeks/{week}/canteens/{canteen_id}/deliveries",
                      headers=intruder).status_code == 403
    stolen = client.put(f"/api/v1/canteens/{other_canteen}/receipts/{line['allocation_line_id']}",
                        headers=intruder, json={"received_quantity": 0})
    assert stolen.status_code == 403

    export = client.get(f"/api/v1/weeks/{week}/planning.xlsx", headers=coordinator)
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.data), read_only=True).sheetnames
    assert client.get(f"/api/v1/weeks/{week}/planning.xlsx",
                      headers=bearer(scenario.growers["luchon"])).status_code == 403


def test_statements_and_exports_of_others_are_refused(
    client: Any, scenario: Scenario, bearer: Any
) -> None:
    grower = bearer(scenario.growers["luchon"])
    own, other = scenario.farms["luchon"].id, scenario.farms["stgaudens"].id
    assert client.get(f"/api/v1/farms/{own}/statements/2026-11", headers=grower).status_code == 200
    assert client.get(f"/api/v1/farms/{other}/statements/2026-11",
                      headers=grower).status_code == 403
    manager = bearer(scenario.managers["luchon"])
    own_c, other_c = scenario.canteens["luchon"].id, scenario.canteens["stgaudens"].id
    assert client.get(f"/api/v1/canteens/{own_c}/statements/2026-11",
                      headers=manager).status_code == 200
    assert client.get(f"/api/v1/canteens/{other_c}/statements/2026-11",
                      headers=manager).status_code == 403
    period = "?start=2026-11-01&end=2026-11-30"
    assert client.get(f"/api/v1/canteens/{other_c}/macantine.csv{period}",
                      headers=manager).status_code == 403


def test_session_calls_need_the_csrf_token_but_bearer_calls_do_not(
    app: Any, client: Any, login: Any, open_scenario: Scenario, bearer: Any
) -> None:
    scenario = open_scenario
    grower = scenario.growers["luchon"]
    login(grower)
    app.config["WTF_CSRF_ENABLED"] = True
    url = offer_url(scenario, "luchon")
    assert client.get(url).status_code == 200  # reading with the session is fine
    refused = client.put(url, json={"lines": []})
    assert refused.status_code == 400 and refused.content_type == PROBLEM
    fresh = app.test_client()
    version = fresh.get(url, headers=bearer(grower)).get_json()["version"]
    accepted = fresh.put(url, headers=bearer(grower), json={"version": version, "lines": []})
    assert accepted.status_code == 200


def test_openapi_document_and_browsable_reference(client: Any, app: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, item in spec["paths"].items() for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api_"):
            if rule.endpoint.startswith("api_pages."):
                continue
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented
    schema = spec["components"]["schemas"]["AvailabilityIn"]
    assert "lines" in schema["required"]
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "PUT /api/v1/weeks/{iso_week}/farms/{farm_id}/availability" in text
    assert "<script" not in text and "cdn" not in text.lower()


def test_a_write_without_precondition_gets_428_and_changes_nothing(
    client: Any, open_scenario: Scenario, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.growers["luchon"])
    url = offer_url(scenario, "luchon")
    before = client.get(url, headers=headers).get_json()
    answer = client.put(url, headers=headers, json={"lines": []})
    assert answer.status_code == 428 and answer.content_type == PROBLEM
    assert "If-Match" in answer.get_json()["detail"]
    assert client.get(url, headers=headers).get_json()["lines"] == before["lines"]


def test_if_match_with_the_etag_is_a_precondition_and_a_stale_one_gets_409(
    client: Any, open_scenario: Scenario, bearer: Any
) -> None:
    scenario = open_scenario
    headers = bearer(scenario.growers["luchon"])
    url = offer_url(scenario, "luchon")
    read = client.get(url, headers=headers)
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'
    carrot = scenario.products["carotte"].id
    body = {"lines": [{"product_id": carrot, "quantity": 7}]}
    saved = client.put(url, headers={**headers, "If-Match": etag}, json=body)
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    stale = client.put(url, headers={**headers, "If-Match": etag}, json=body)
    assert stale.status_code == 409
    assert stale.get_json()["current_version"] == saved.get_json()["version"]
    assert stale.get_json()["current_lines"] == [
        {"product_id": carrot, "day": None, "quantity": "7"}
    ]


def test_a_get_body_is_accepted_back_by_the_put(
    client: Any, open_scenario: Scenario, bearer: Any
) -> None:
    scenario = open_scenario
    for headers, url in (
        (bearer(scenario.managers["luchon"]), orders_url(scenario, "luchon")),
        (bearer(scenario.growers["luchon"]), offer_url(scenario, "luchon")),
    ):
        body = client.get(url, headers=headers).get_json()
        assert body["lines"]
        answer = client.put(url, headers=headers, json=body)
        assert answer.status_code == 200, answer.get_json()
        assert [(line["product_id"], line["day"], line["quantity"])
                for line in answer.get_json()["lines"]] == [
            (line["product_id"], line["day"], line["quantity"]) for line in body["lines"]
        ]  # fmt: skip


def _published_receipt_url(client: Any, scenario: Scenario, db: Any) -> str:
    allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead)
    client.application.config["PIAL_CLOCK"] = lambda: dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    canteen_id = scenario.canteens["luchon"].id
    line = db.scalar(
        select(AllocationLine).where(AllocationLine.canteen_id == canteen_id)
        .order_by(AllocationLine.id)
    )
    assert line is not None
    return f"/api/v1/canteens/{canteen_id}/receipts/{line.id}"


def test_a_receipt_put_needs_the_version_read_and_a_stale_one_gets_409(
    client: Any, scenario: Scenario, bearer: Any, db: Any
) -> None:
    url = _published_receipt_url(client, scenario, db)
    manager = bearer(scenario.managers["luchon"])
    blind = client.put(url, headers=manager, json={"received_quantity": 1})
    assert blind.status_code == 428 and blind.content_type == PROBLEM
    assert "If-Match" in blind.get_json()["detail"]
    assert db.scalar(select(func.count(Receipt.id))) == 0

    read = client.get(url, headers=manager)
    assert read.status_code == 200 and read.headers["ETag"] == '"0"'
    assert read.get_json()["recorded"] is False
    first = client.put(url, headers={**manager, "If-Match": read.headers["ETag"]},
                       json={"received_quantity": 1, "quality": "minor"})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["recorded"] is True and first.headers["ETag"] != '"0"'

    # a second device still holding the first read, then a stale body version
    for stale in (
        client.put(url, headers={**manager, "If-Match": '"0"'}, json={"received_quantity": 0}),
        client.put(url, headers=manager, json={"received_quantity": 0, "version": "0"}),
    ):
        assert stale.status_code == 409 and stale.content_type == PROBLEM
        problem = stale.get_json()
        assert problem["current_version"] == first.get_json()["version"]
        assert problem["current"]["received_quantity"] == "1"
        assert problem["current"]["quality"] == "minor"
    assert client.get(url, headers=manager).get_json()["received_quantity"] == "1"

    lead = bearer(scenario.lead)
    assert client.get(url, headers=lead).status_code == 200
    assert client.get(url, headers=bearer(scenario.managers["stgaudens"])).status_code == 403


def test_a_receipt_get_body_is_accepted_back_by_the_put(
    client: Any, scenario: Scenario, bearer: Any, db: Any
) -> None:
    url = _published_receipt_url(client, scenario, db)
    manager = bearer(scenario.managers["luchon"])
    body = client.get(url, headers=manager).get_json()
    body["quality"] = "rejected"
    saved = client.put(url, headers=manager, json=body)
    assert saved.status_code == 200, saved.get_json()
    again = client.get(url, headers=manager).get_json()
    assert again["quality"] == "rejected" and again["received_quantity"] == body["planned_quantity"]
    assert again["version"] == saved.headers["ETag"].strip('"') != body["version"]
    again["note"] = "abîmé"
    assert client.put(url, headers=manager, json=again).status_code == 200
