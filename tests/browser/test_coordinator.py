"""The week as people live it, on a phone: the coordinator's home, receptions, error pages.

Runs before ``test_journeys.py`` (file order): the demo's open week is still open here, and
nothing is closed, so the lead's journey closes it afterwards.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pial.clock import today_in_paris
from tests.browser.conftest import (
    PHONE,
    LiveServer,
    accessibility_violations,
    follow,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_coordinator_sees_it_is_their_week_and_its_actions(
    open_page: Any, live_server: LiveServer
) -> None:
    rows = live_server.query(
        """SELECT w.iso_week, u.email FROM coordinator_assignments a
           JOIN delivery_weeks w ON w.id = a.week_id
           JOIN users u ON u.farm_id = a.farm_id AND u.role = 'grower' AND u.is_active
           WHERE w.state = 'open' ORDER BY w.monday_date, u.id LIMIT 1"""
    )
    assert rows, "the demo's open week has a coordinating farm"
    iso_week, email = str(rows[0][0]), str(rows[0][1])
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, email)
    card = page.locator("section.coordination").first
    number = int(iso_week.split("-W")[1])
    assert re.search(rf"C'est votre semaine : vous coordonnez la semaine {number}\b",
                     card.inner_text())
    for action in ("Clore la semaine", "Lancer et relire la répartition", "Publier le planning"):
        assert action in card.inner_text()
    assert accessibility_violations(page) == []
    card.evaluate("el => el.scrollIntoView({block: 'start'})")  # the card, not the menu above
    screenshot(page, "accueil-coordinateur-360")

    # Closing asks to tick a box first: without it the browser sends nothing.
    card.get_by_role("button", name="Clore la semaine").click()
    assert page.locator(".flash-success").count() == 0
    assert live_server.query("SELECT state FROM delivery_weeks WHERE iso_week = :w",
                             w=iso_week)[0][0] == "open"

    card.get_by_label("Suppléant (une ferme qui peut vous remplacer)").select_option(index=1)
    follow(card.get_by_role("button", name="Enregistrer le suppléant"))
    assert page.locator(".flash-success").inner_text() == "Suppléant enregistré."
    follow(page.locator("section.coordination").first.get_by_role(
        "button", name="Je confirme : je coordonne cette semaine"))
    assert "vous coordonnez cette semaine" in page.locator(".flash-success").inner_text()
    assert "Coordination confirmée le" in page.locator("section.coordination").first.inner_text()


def test_a_canteen_cannot_receive_a_delivery_still_to_come(
    open_page: Any, live_server: LiveServer
) -> None:
    # The demo's published week has a delivery after today (the server runs on the real
    # clock): its receipt may not be confirmed yet, though an earlier day's of the same week
    # may. Shortfalls and « Tout conforme » on past days are proven in Chromium on a stopped
    # clock in test_week_people.py. Today is the platform's (Paris): from 23:00 UTC in winter
    # the machine's own date is yesterday's there.
    today = today_in_paris().isoformat()
    rows = live_server.query(
        """SELECT w.iso_week, u.email, l.day FROM allocation_lines l
           JOIN allocation_runs r ON r.id = l.run_id
           JOIN delivery_weeks w ON w.id = r.week_id
           JOIN users u ON u.canteen_id = l.canteen_id AND u.role = 'canteen' AND u.is_active
           WHERE r.published_version IS NOT NULL AND l.day > :today
           ORDER BY l.day LIMIT 1""",
        today=today,
    )
    assert rows, "the demo has a published week still to deliver"
    iso_week, email, day = str(rows[0][0]), str(rows[0][1]), str(rows[0][2])[:10]
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/semaines/{iso_week}/mes-livraisons")
    note = page.locator(f"section[aria-labelledby='bon-{day}']")
    assert "À confirmer le jour de la livraison." in note.inner_text()
    assert note.get_by_role("button", name=re.compile(r"^Tout conforme")).count() == 0
    assert note.locator("details").filter(has_text="Confirmer la réception").count() == 0
    assert accessibility_violations(page) == []
    screenshot(page, "receptions-a-venir-360")


def test_error_pages_are_french_inside_the_layout(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    response = page.goto(f"{live_server.url}/cette-page-n-existe-pas")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert "Not Found" not in page.inner_text("body")
    follow(page.get_by_role("link", name="Retour à l'accueil"))
    assert page.url.startswith(f"{live_server.url}/connexion")
    assert accessibility_violations(page) == []
