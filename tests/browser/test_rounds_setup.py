"""A grower, on a 360 px phone, refuses to drive on Mondays on « Ma camionnette »."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    LiveServer,
    accessibility_violations,
    follow,
    follow_menu,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GROWER = "elodie.fourcade@demo.pial.example"


def test_a_grower_ticks_monday_off_on_a_phone(open_page: Any, live_server: LiveServer) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, GROWER)
    follow_menu(page, "Ma camionnette")
    page.wait_for_url(f"{live_server.url}/ma-camionnette")
    assert accessibility_violations(page) == []

    page.get_by_label("lundi").check()
    page.get_by_label("Téléphone du chauffeur").fill("06 12 34 56 78")
    follow(page.get_by_role("button", name="Enregistrer"))

    page.wait_for_url(f"{live_server.url}/ma-camionnette/*")
    text = page.locator("main").inner_text()
    assert "Votre camionnette est enregistrée." in text
    assert "Vous ne conduisez pas : lundi." in text
    assert page.get_by_label("lundi").is_checked()
    assert not page.get_by_label("mardi").is_checked()
    assert page.get_by_label("Téléphone du chauffeur").input_value() == "06 12 34 56 78"
    rows = live_server.query(
        "SELECT v.days_off FROM round_vehicles v JOIN users u ON u.farm_id = v.farm_id "
        "WHERE u.email = :email", email=GROWER)
    assert [row[0] for row in rows] == ["1"]
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the phone screen"
    screenshot(page, "ma-camionnette-360")
    assert accessibility_violations(page) == []


def test_the_lead_enters_a_road_distance_and_a_wrong_one_is_named(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "coordination@demo.pial.example")
    follow_menu(page, "Tournées : réglages")
    page.wait_for_url(f"{live_server.url}/tournees/reglages")
    screenshot(page, "tournees-reglages-360", full_page=True)
    assert accessibility_violations(page) == []
    follow(page.get_by_role("link", name="Saisir une distance"))
    options = page.get_by_label("Lieu de départ").locator("option").all_inner_texts()
    farm = next(text for text in options if text.startswith("Ferme — "))
    canteen = next(text for text in options if text.startswith("Cantine — "))

    page.get_by_label("Lieu de départ").select_option(label=farm)
    page.get_by_label("Lieu d'arrivée").select_option(label=farm)
    page.get_by_label("Distance (km)").fill("12,5")
    follow(page.get_by_role("button", name="Enregistrer"))
    assert "Lieu d'arrivée : un lieu différent du lieu de départ est attendu." in (
        page.locator("main").inner_text())
    assert accessibility_violations(page) == []
    page.get_by_label("Lieu d'arrivée").select_option(label=canteen)
    follow(page.get_by_role("button", name="Enregistrer"))

    page.wait_for_url(f"{live_server.url}/tournees/reglages")
    row = page.locator("#distances").locator("..").locator("tbody tr").first.inner_text()
    assert farm.removeprefix("Ferme — ") in row and "12,5" in row
    # The tables scroll inside their frame: the page itself is never wider than the phone.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the phone screen"
    screenshot(page, "tournees-reglages-360")
    assert accessibility_violations(page) == []
