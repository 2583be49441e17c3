"""The EGalim dashboard on a 360 px phone: a canteen manager's page and the lead's overview."""

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

MANAGER = "cuisine.cite-scolaire@demo.pial.example"
LEAD = "coordination@demo.pial.example"


def _fits_the_screen(page: Any) -> None:
    """Only the tables scroll sideways, inside their own box: the page itself never does."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def test_a_canteen_manager_reads_the_dashboard_and_enters_other_purchases_at_360_px(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, MANAGER)
    follow_menu(page, "EGalim")
    page.wait_for_url("**/egalim/cantine/*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("EGalim : ")
    chart = page.locator("svg#egalim-year")
    assert chart.is_visible() and chart.get_attribute("role") == "img"
    assert chart.bounding_box()["width"] <= PHONE["width"]
    summary = page.get_by_role("region", name="Depuis janvier")
    assert "Part bio (objectif 20 %)" in summary.inner_text()
    _fits_the_screen(page)
    assert accessibility_violations(page) == []
    screenshot(page, "egalim-cantine-360", full_page=True)

    # The other purchases of a month change the whole canteen's shares.
    before = summary.inner_text()
    page.get_by_label("Mois (AAAA-MM)").fill(f"{page_year(page)}-01")
    page.get_by_label("Total des achats hors PIAL (€ HT)").fill("2 000")
    page.get_by_label("dont sous label EGalim, bio compris (€ HT)").fill("1 500,50")
    page.get_by_label("dont bio (€ HT)").fill("800")
    page.get_by_label("dont local (€ HT)").fill("0")
    follow(page.get_by_role("button", name="Enregistrer le mois"))
    assert "enregistrés" in page.locator(".flash-info, .flash-success").first.inner_text()
    assert page.get_by_role("region", name="Depuis janvier").inner_text() != before
    _fits_the_screen(page)

    # The export form defaults to the whole year so far. (The file itself is checked by
    # tests/egalim: on this server's real clock, the demo's one played week may lie ahead.)
    assert page.get_by_label("Du").input_value() == f"{page_year(page)}-01-01"
    assert page.get_by_role("button", name="Télécharger le fichier ma-cantine (.csv)").is_visible()
    assert accessibility_violations(page) == []


def page_year(page: Any) -> str:
    """Return the year the dashboard shows."""
    return str(page.get_by_label("Année").input_value())


def test_the_lead_sees_every_canteen_side_by_side_at_360_px(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, LEAD)
    page.goto(f"{live_server.url}/egalim/")
    table = page.get_by_role("table", name="Parts EGalim par cantine")
    canteens = live_server.query("SELECT name FROM canteens WHERE is_active")
    for (name,) in canteens:
        assert name in table.inner_text()
    assert page.locator("svg#egalim-canteens").is_visible()
    _fits_the_screen(page)
    assert accessibility_violations(page) == []
    screenshot(page, "egalim-responsable-360", full_page=True)
