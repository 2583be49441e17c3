"""Every menu page of each role passes the axe-core scan; the language switch works."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    accessibility_violations,
    follow,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCOUNTS = {
    "grower": ("mathieu.carrere@demo.pial.example", PHONE),
    "canteen": ("cuisine.cite-scolaire@demo.pial.example", PHONE),
    "lead": ("coordination@demo.pial.example", DESKTOP),
}


def test_the_sign_in_page_is_accessible(open_page: Any, live_server: LiveServer) -> None:
    page = open_page(viewport=PHONE)
    page.goto(f"{live_server.url}/connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert accessibility_violations(page) == []
    screenshot(page, "connexion-360")


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_menu_page_of_a_role_is_accessible(
    open_page: Any, live_server: LiveServer, role: str
) -> None:
    email, viewport = ACCOUNTS[role]
    page = open_page(viewport=viewport)
    sign_in(page, live_server, email)
    links = page.locator("nav .nav a").evaluate_all("links => links.map(a => a.href)")
    links.append(f"{live_server.url}/compte/langue")
    assert len(links) >= 3
    found = {}
    for url in dict.fromkeys(links):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        violations = accessibility_violations(page)
        if violations:
            found[url.removeprefix(live_server.url)] = violations
    assert found == {}


def test_a_person_switches_the_interface_to_english(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "jb.sabatier@demo.pial.example")
    follow(page.get_by_role("link", name="Langue"))
    page.get_by_label("English").check()
    follow(page.get_by_role("button", name="Enregistrer"))
    assert page.locator(".flash-success").inner_text() == "Language saved."
    assert page.locator("html").get_attribute("lang") == "en"
    follow(page.get_by_role("link", name="Home").first)
    main = page.inner_text("main")
    assert "My offer" in main and "We are in week" in main
    assert accessibility_violations(page) == []
    screenshot(page, "home-grower-english-360")
    # Back to French, so that the account reads as the demo describes it.
    follow(page.get_by_role("link", name="Language"))
    page.get_by_label("Français").check()
    follow(page.get_by_role("button", name="Save"))
    assert page.locator("html").get_attribute("lang") == "fr"


def test_a_farm_page_with_its_certificates_is_accessible(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "coordination@demo.pial.example")
    page.goto(f"{live_server.url}/admin/fermes")
    follow(page.get_by_role("link", name="Les Jardins de la Pique"))
    certificates = page.get_by_role("region", name="Certificats (bio et autres labels)")
    assert "FR-BIO-01-31-2014-0412" in certificates.inner_text()
    assert page.get_by_label("SIRET (14 chiffres)").input_value() == "81470312000018"
    assert accessibility_violations(page) == []


def test_a_canteen_group_page_and_the_invoiced_to_choice_are_accessible(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=DESKTOP)
    sign_in(page, live_server, "coordination@demo.pial.example")
    page.goto(f"{live_server.url}/admin/cantines")
    follow(page.get_by_role("link", name="Groupements de cantines (acheteurs facturés)"))
    follow(page.get_by_role("link", name="Groupement Cité scolaire – EHPAD de Luchon"))
    assert page.get_by_label("SIRET (14 chiffres)").input_value() == "21310080000019"
    assert page.get_by_label("Cité scolaire de Luchon").is_checked()
    assert accessibility_violations(page) == []
    page.goto(f"{live_server.url}/admin/cantines")
    follow(page.get_by_role("link", name="Cité scolaire de Luchon"))
    invoiced_to = page.get_by_label("Facturé à")
    assert invoiced_to.locator("option:checked").inner_text() == (
        "Groupement Cité scolaire – EHPAD de Luchon")
    assert accessibility_violations(page) == []
