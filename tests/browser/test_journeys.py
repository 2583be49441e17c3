"""The main journeys in a real browser, against a real server on the demo data.

They run in file order on one server: the grower and the canteen fill in the open week, the
lead closes, allocates, reviews, publishes it and downloads the workbook, then a grower
declares a crop failure on that published week and gets the re-planned version.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    LiveServer,
    accessibility_violations,
    follow,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MIN_TOUCH_PX = 44


def _open_week(server: LiveServer) -> str:
    rows = server.query(
        "SELECT iso_week FROM delivery_weeks WHERE state = 'open' ORDER BY monday_date LIMIT 1"
    )
    assert rows, "the demo should leave one week open"
    return str(rows[0][0])


def _published_week(server: LiveServer) -> str | None:
    rows = server.query(
        "SELECT iso_week FROM delivery_weeks WHERE state = 'published' "
        "ORDER BY monday_date DESC LIMIT 1"
    )
    return str(rows[0][0]) if rows else None


def _fits_the_screen(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the phone screen"


def _small_targets(page: Any, selector: str) -> list[str]:
    return list(page.evaluate(
        """([selector, minimum]) => [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.name || el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < minimum)
            .map(([name, box]) => `${name}: ${Math.round(box.height)} px`)""",
        [selector, MIN_TOUCH_PX],
    ))


def test_grower_declares_the_weekly_offer_on_a_phone(
    open_page: Any, live_server: LiveServer
) -> None:
    iso_week = _open_week(live_server)
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "elodie.fourcade@demo.pial.example")

    offer_card = page.locator("section.todo").first
    assert "Mon offre" in offer_card.inner_text()
    assert re.search(r"Il reste \d+ (jours?|h)", offer_card.inner_text())
    _fits_the_screen(page)
    screenshot(page, "accueil-producteur-360")
    assert accessibility_violations(page) == []

    offer_card.get_by_role("link", name=re.compile("mon offre")).click()
    page.wait_for_url(re.compile(rf"/semaine/{iso_week}/offre"))
    _fits_the_screen(page)
    assert _small_targets(page, "form.grid-form input[type=text], form.grid-form button") == []
    assert accessibility_violations(page) == []

    quantities = page.locator("form.grid-form input[type=text]")
    assert quantities.count() > 3
    first, second = quantities.nth(0), quantities.nth(1)
    first_name = first.get_attribute("name")

    # A typing slip is refused next to its field, and nothing is saved.
    first.fill("12,5")
    second.fill("beaucoup")
    follow(page.get_by_role("button", name="Enregistrer mon offre"))
    assert page.locator(".flash-error").is_visible()
    error_id = f"{second.get_attribute('id')}-errors"
    assert error_id in (second.get_attribute("aria-describedby") or "")
    assert second.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{error_id}").inner_text().strip()
    screenshot(page, "offre-erreur-360", full_page=False)

    second.fill("")
    follow(page.get_by_role("button", name="Enregistrer mon offre"))
    assert page.locator(".flash-success").is_visible()
    assert page.locator(f"input[name='{first_name}']").input_value() == "12,5"
    page.evaluate("() => document.querySelector('.week-head').scrollIntoView()")
    screenshot(page, "offre-producteur-360")

    follow(page.get_by_role("link", name="Accueil").first)
    assert "offre déclarée" in page.locator("section.todo").first.inner_text()


def test_canteen_orders_without_javascript(open_page: Any, live_server: LiveServer) -> None:
    iso_week = _open_week(live_server)
    page = open_page(viewport=PHONE, javascript=False)
    sign_in(page, live_server, "cuisine.ehpad@demo.pial.example")

    order_card = page.locator("section.todo").first
    assert "Ma commande" in order_card.inner_text()
    screenshot(page, "accueil-cantine-360")
    order_card.get_by_role("link", name=re.compile("commande")).click()
    page.wait_for_url(re.compile(rf"/semaine/{iso_week}/commande"))
    _fits_the_screen_without_js(page)

    quantity = page.locator("form.grid-form input[type=text]").first
    name = quantity.get_attribute("name")
    label = page.locator(f"label[for='{quantity.get_attribute('id')}']")
    assert label.count() == 1 and label.inner_text().strip()
    quantity.fill("7,5")
    follow(page.get_by_role("button", name="Enregistrer ma commande"))
    assert page.locator(".flash-success").is_visible()
    assert page.locator(f"input[name='{name}']").input_value() == "7,5"
    page.locator("table.order-table").scroll_into_view_if_needed()
    screenshot(page, "commande-cantine-360")


def _fits_the_screen_without_js(page: Any) -> None:
    """Check the width from a screenshot's size (evaluate() needs JavaScript)."""
    box = page.locator("body").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]


def test_lead_allocates_reviews_publishes_and_downloads_the_workbook(
    open_page: Any, live_server: LiveServer
) -> None:
    iso_week = _open_week(live_server)
    page = open_page(viewport=DESKTOP)
    sign_in(page, live_server, "coordination@demo.pial.example")
    assert "Les semaines" in page.inner_text("main")
    screenshot(page, "accueil-responsable-1280")
    assert accessibility_violations(page) == []

    follow(page.get_by_role("link", name="Semaines", exact=True))
    row = page.locator(f"#semaine-{iso_week}")
    row.get_by_role("button", name="Clore").click()  # irreversible: the box must be ticked
    assert page.locator(".flash-success").count() == 0
    row.get_by_label("Je confirme : offres et commandes arrêtées.").check()
    follow(row.get_by_role("button", name="Clore"))
    assert page.locator(".flash-success").is_visible()

    page.goto(f"{live_server.url}/semaines/{iso_week}/planning")
    follow(page.get_by_role("button", name="Lancer la répartition"))
    success = page.locator(".flash-success").inner_text()
    assert re.search(r"Répartition n°1 calculée : [\d,]+ % de la commande servie", success)
    assert page.locator("table td.num").count() > 20
    screenshot(page, "relecture-planning-1280")
    assert accessibility_violations(page) == []

    # A cell is changed in place: its own small form, with what the farm has left on offer,
    # sent by the grid's script without reloading the page (a mark set on window survives).
    assert page.get_by_role("heading", name="Reste à l'offre par ferme").is_visible()
    page.evaluate("() => { window.notReloaded = true; }")
    cell = page.locator("td details.cell-edit").nth(2)
    cell_id = cell.evaluate("el => el.closest('td').id")
    cell.locator("summary").click()
    assert "Reste à l'offre de cette ferme" in cell.inner_text()
    cell.locator("input[name=quantity]").fill("beaucoup")
    scroll = page.evaluate("() => window.scrollY")
    cell.get_by_role("button", name="Verrouiller").click()
    refusal = page.locator(f"#{cell_id} .cell-status[role=alert]")
    refusal.wait_for()
    assert refusal.inner_text() == "Quantité : « beaucoup » n'est pas un nombre (exemple : 12,5)."
    assert page.locator(f"#{cell_id} .locked").count() == 0
    cell.locator("input[name=quantity]").fill("0")  # this farm does not deliver it
    cell.get_by_role("button", name="Verrouiller").click()
    done = page.locator(f"#{cell_id} .cell-status[role=status]")
    done.wait_for()
    assert done.inner_text() == "Case verrouillée : relancez la répartition pour en tenir compte."
    assert page.locator(f"#{cell_id} .locked").inner_text() == "🔒 verrouillée à 0"
    assert page.evaluate("() => window.notReloaded") is True
    assert page.evaluate("() => window.scrollY") == scroll
    assert "Case verrouillée" not in page.locator(".flash-success").inner_text()  # no reload
    screenshot(page, "relecture-case-verrouillee-1280")

    # Without JavaScript the same form posts and the page comes back on the cell.
    plain = open_page(viewport=DESKTOP, javascript=False)
    sign_in(plain, live_server, "coordination@demo.pial.example")
    plain.goto(f"{live_server.url}/semaines/{iso_week}/planning")
    other = plain.locator("td:has(details.cell-edit)").first
    other_id = other.get_attribute("id")
    other.locator("summary").click()
    follow(other.get_by_role("button", name="Verrouiller"))
    assert "Case verrouillée" in plain.locator(".flash-success").inner_text()
    assert plain.url.endswith(f"#{other_id}")
    assert plain.locator(f"#{other_id} .locked").is_visible()
    follow(page.get_by_role("button", name="Relancer la répartition"))

    publish = page.get_by_role("button", name=re.compile(r"Publier cette répartition"))
    publish.click()  # not sent: the confirmation box is not ticked
    assert page.locator(".flash-success").inner_text().startswith("Répartition n°2")
    page.get_by_label(re.compile("Je confirme : producteurs et cantines")).check()
    follow(publish)
    assert "Planning publié (version 1)" in page.locator(".flash-success").inner_text()

    page.goto(f"{live_server.url}/tableurs/?semaine={iso_week}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le classeur du planning").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = ARTIFACTS / download.suggested_filename
    download.save_as(target)
    workbook = load_workbook(io.BytesIO(target.read_bytes()), read_only=True)
    assert len(workbook.sheetnames) >= 3
    workbook.close()


def test_planning_grid_scrolls_under_sticky_headers_on_a_phone(
    open_page: Any, live_server: LiveServer
) -> None:
    iso_week = _published_week(live_server)
    assert iso_week, "a published week is needed (the demo publishes the week before the open one)"
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, "coordination@demo.pial.example")
    page.goto(f"{live_server.url}/semaines/{iso_week}/planning")
    scroller = page.locator("section[aria-label] .table-scroll").first
    header = scroller.locator("thead th").nth(1)
    first_column = scroller.locator("tbody th").first
    scroller.scroll_into_view_if_needed()
    before_header = header.bounding_box()
    before_column = first_column.bounding_box()
    scroller.evaluate("el => { el.scrollTop = 60; el.scrollLeft = 120; }")
    after_header = header.bounding_box()
    after_column = first_column.bounding_box()
    assert before_header and after_header and before_column and after_column
    assert after_header["y"] == pytest.approx(before_header["y"], abs=1), "header scrolled away"
    assert after_column["x"] == pytest.approx(before_column["x"], abs=1), "first column moved"
    screenshot(page, "planning-grille-360")


def test_grower_declares_a_crop_failure_and_gets_the_replanned_version(
    open_page: Any, live_server: LiveServer
) -> None:
    iso_week = _published_week(live_server)
    assert iso_week, "the lead's journey publishes the open week first"
    rows = live_server.query(
        """SELECT u.email FROM allocation_lines l
           JOIN allocation_runs r ON r.id = l.run_id
           JOIN delivery_weeks w ON w.id = r.week_id
           JOIN users u ON u.farm_id = l.farm_id AND u.role = 'grower'
           WHERE w.iso_week = :week AND r.published_version IS NOT NULL AND l.quantity > 0
           GROUP BY u.email ORDER BY SUM(l.quantity) DESC""",
        week=iso_week,
    )
    assert rows, "somebody delivers in the published planning"
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, str(rows[0][0]))
    page.goto(f"{live_server.url}/semaines/{iso_week}/mes-livraisons")
    follow(page.get_by_role("link", name="Déclarer une perte de récolte"))

    planned_table = page.get_by_role("table", name="Ce qui est prévu pour votre ferme")
    assert "Reste de votre offre" in planned_table.inner_text()
    product = page.get_by_label("Produit touché")
    option_label = product.locator("option").first.inner_text()
    assert re.search(r"\([\d\s\u202f.,]+ .* prévus\)", option_label), option_label
    page.get_by_label("Quantité perdue").fill("2,5")
    page.get_by_label("Ce qui s'est passé (facultatif)").fill("Grêle mardi soir")
    assert accessibility_violations(page) == []
    follow(page.get_by_role("button", name="Déclarer la perte et recalculer"))

    flash = page.locator(".flash-success").inner_text()
    assert re.search(r"Perte enregistrée\. .*publié \(version \d+\) : \d+ ligne", flash), flash
    assert "rien n'a changé" not in flash
    version = int(re.search(r"version (\d+)", flash).group(1))  # type: ignore[union-attr]
    assert version >= 2
    page.goto(f"{live_server.url}/semaines/{iso_week}/mes-livraisons")
    assert f"planning version {version}" in page.inner_text("main")
    screenshot(page, "perte-de-recolte-360")
