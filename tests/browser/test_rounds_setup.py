"""A grower, on a 360 px phone, refuses to drive on Mondays on « Ma camionnette »."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    LiveServer,
    accessibility_violations,
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
    page.get_by_role("button", name="Enregistrer").click()

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
