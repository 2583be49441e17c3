"""E-mails as their readers get them: units in their language, links to the served address."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pial.allocation.services import allocate_week, publish_week
from pial.cli import use_served_address
from pial.notifications import deliver_outbox
from tests.allocation.scenario import build_scenario, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()


def text_of(message: Any) -> str:
    """Return the plain-text part of a received e-mail."""
    return str(message.get_body(preferencelist=("plain",)).get_content())


def test_units_are_in_the_readers_language_and_links_use_the_served_address(
    app: Flask, db: Any, make_user: Any, smtp_server: Any
) -> None:
    scenario = build_scenario(db, make_user)
    scenario.products["salade"].unit = "bunch"  # salads sold by the bunch
    english = scenario.growers["montrejeau"]  # Montréjeau offers salads, as does Luchon
    english.locale = "en"
    db.commit()
    app.config["PIAL_BASE_URL_SET"] = False
    use_served_address(app, "0.0.0.0", 8765)

    allocate_week(scenario.iso_week, scenario.lead)
    run = publish_week(scenario.iso_week, scenario.lead)
    deliver_outbox()
    received = {message["To"]: text_of(message) for message in smtp_server.messages()}

    salad = scenario.products["salade"]
    salad_farms = {ln.farm_id for ln in run.lines if ln.product_id == salad.id}
    assert salad_farms, "somebody delivers salads"
    for key, grower in scenario.growers.items():
        if scenario.farms[key].id not in salad_farms:
            continue
        body = received[grower.email]
        assert "bunch " not in body  # never the raw unit code
        if grower.locale == "en":
            assert "bunches" in body
        else:
            assert "bottes" in body
    for body in received.values():
        assert "http://127.0.0.1:8765" in body and "127.0.0.1:5000" not in body


def test_an_explicit_base_url_wins(app: Flask, db: Any, make_user: Any) -> None:
    from pial.notifications.messages import public_base_url

    app.config.update({"PIAL_BASE_URL": "https://pial.example.fr/", "PIAL_BASE_URL_SET": True})
    use_served_address(app, "0.0.0.0", 8765)
    with app.test_request_context("/", base_url="http://10.0.0.5:9000"):
        assert public_base_url() == "https://pial.example.fr"
    app.config["PIAL_BASE_URL_SET"] = False
    with app.test_request_context("/", base_url="http://10.0.0.5:9000"):
        assert public_base_url() == "http://10.0.0.5:9000"
