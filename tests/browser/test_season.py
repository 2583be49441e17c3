"""The season plan in a real browser: the lead solves and publishes it, a grower reads « mon plan
de culture » on a 360 px phone and proposes a change."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    accessibility_violations,
    follow,
    follow_menu,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fits_the_screen(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the phone screen"


def test_a_grower_reads_its_crop_plan_on_a_phone(open_page: Any, live_server: LiveServer) -> None:
    lead = open_page(viewport=DESKTOP)
    sign_in(lead, live_server, "coordination@demo.pial.example")
    follow_menu(lead, "Saison")
    assert "Contrôle sur la saison" in lead.locator("main").inner_text()
    lead.get_by_label(re.compile("Saisons simulées")).fill("100")
    lead.get_by_role("button", name="Calculer le plan").click()
    lead.wait_for_url(re.compile(r"/saison/plans/\d+$"), timeout=120_000)
    follow(lead.get_by_role("button", name="Publier aux fermes"))
    assert "Plan publié" in lead.locator(".flashes").inner_text()

    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "jb.sabatier@demo.pial.example")
    follow_menu(page, "Mon plan de culture")
    main = page.locator("main")
    assert "Mon plan de culture" in main.locator("h1").inner_text()
    assert re.search(r"Plan n°\d+ : \d+ cultures", main.inner_text())
    lettuce = page.get_by_role("heading", name="Laitue", exact=True)
    assert lettuce.is_visible()
    _fits_the_screen(page)
    screenshot(page, "plan-de-culture-360")
    assert accessibility_violations(page) == []

    page.locator("details summary").first.click()
    _fits_the_screen(page)
    page.get_by_label("Produit", exact=True).select_option(label="Laitue")
    page.get_by_label("De la semaine du").fill("2027-09-06")
    page.get_by_label("À la semaine du (incluse)").fill("2027-10-04")
    page.get_by_label(re.compile("Volume par semaine")).fill("150")
    follow(page.get_by_role("button", name="Envoyer la proposition"))
    assert "Proposition envoyée" in page.locator(".flashes").inner_text()
    assert "en attente de la coordination" in page.locator("main").inner_text()
    _fits_the_screen(page)
