"""A driver reads their route sheet on a 360 px phone: stops in order, times, what to load and
drop, the canteen's phone, without sideways scrolling."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PHONE, LiveServer, accessibility_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_driver_reads_the_route_sheet_on_a_phone(
    open_page: Any, live_server: LiveServer
) -> None:
    (iso_week,) = live_server.query(
        "SELECT iso_week FROM delivery_weeks WHERE state IN ('published', 'delivered') "
        "ORDER BY monday_date DESC LIMIT 1"
    )[0]
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "coordination@demo.pial.example")
    page.goto(f"{live_server.url}/semaines/{iso_week}/planning")
    page.get_by_role("link", name="Tournées mutualisées et feuilles de route").click(
        timeout=120_000)
    page.wait_for_url(re.compile(r"/tournees$"), timeout=120_000)
    week_text = page.locator("main").inner_text()
    assert "Tournées mutualisées" in week_text and "Chacun livre ses lignes" in week_text
    assert page.locator("main svg.rounds-map polyline").count() >= 1
    assert accessibility_violations(page) == []

    # A driver's route sheet: /semaines/<week>/tournees/<day>/<vehicle>.
    page.locator("main a[href*='/tournees/20']").first.click(timeout=120_000)
    page.wait_for_url(re.compile(r"/tournees/\d{4}-\d\d-\d\d/"), timeout=120_000)

    text = page.locator("main").inner_text()
    assert "Feuille de route" in text
    times = [int(h) * 60 + int(m) for h, m in re.findall(r"\b(\d{1,2})h(\d\d) ·", text)]
    assert len(times) >= 3 and times == sorted(times)  # departure, stops, return, in order
    assert "départ" in text and "retour" in text
    assert "Charger :" in text and "Déposer :" in text
    assert re.search(r"→ \S", text)  # each load names the canteen it goes to
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the sheet is {overflow} px wider than the phone screen"
    screenshot(page, "feuille-de-route-360")
    assert accessibility_violations(page) == []
