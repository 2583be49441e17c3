"""The week as growers and canteens live it, on a phone (360×740), on a Saturday.

A server of its own: the demo seeded and served with the clock stopped on Saturday
5 December 2026 at 15:00 in Paris. Week 49 is delivered, week 50 published (delivered from
Monday 7), week 51 open to offers and orders; the Christmas school holidays (zone C) start on
Saturday 19 December. The app runs in this process (a Werkzeug server in a thread) because its
clock is a Python object; the pages are read in Chromium as a person reads them.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    PHONE,
    LiveServer,
    PageErrors,
    accessibility_violations,
    follow,
    screenshot,
    sign_in,
)
from tests.conftest import SettableClock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SATURDAY = dt.datetime(2026, 12, 5, 14, 0, tzinfo=dt.UTC)  # 15:00 in Paris
OPEN_WEEK = "2026-W51"
GROWER = "elodie.fourcade@demo.pial.example"
NURSING_HOME = "cuisine.ehpad@demo.pial.example"
SCHOOL = "cuisine.cite-scolaire@demo.pial.example"


@pytest.fixture(scope="module")
def saturday_clock() -> SettableClock:
    """The server's clock: on Saturday 5 December 2026 at 15:00 in Paris unless a test moves it."""
    return SettableClock(SATURDAY)


@pytest.fixture(scope="module")
def saturday_server(
    tmp_path_factory: pytest.TempPathFactory, saturday_clock: SettableClock
) -> Iterator[LiveServer]:
    """Seed the demo with the clock on Saturday 5 December 2026 and serve it on that clock."""
    from werkzeug.serving import make_server

    from pial.app import create_app
    from pial.demo import seed_demo
    from pial.migrations import upgrade_database

    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's Chromium at /usr/bin/chromium.")
    folder: Path = tmp_path_factory.mktemp("saturday")
    database_url = f"sqlite:///{folder / 'pial.sqlite3'}"
    upgrade_database(database_url)
    app = create_app({
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "saturday-browser-tests-secret-key",
        "SCHEDULER_ENABLED": False,
        "PIAL_CLOCK": saturday_clock,
    })  # fmt: skip
    with app.app_context():
        summary = seed_demo(weeks_back=2)
    assert summary.loaded, summary.reason
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", database_url=database_url)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def phone(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page on a 360×740 touch screen: ``phone(javascript=True)``."""
    contexts: list[Any] = []
    errors: list[PageErrors] = []

    def factory(javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=PHONE, locale="fr-FR", java_script_enabled=javascript,
            is_mobile=True, has_touch=True,
        )  # fmt: skip
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        seen = PageErrors()
        page.on("console", seen.record)
        page.on("pageerror", seen.record_exception)
        errors.append(seen)
        return page

    yield factory
    for context in contexts:
        context.close()
    for seen in errors:
        assert seen.messages == [], f"console errors (CSP violations?): {seen.messages}"


def _fits_the_screen(page: Any) -> None:
    width = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert width <= 0, f"the page is {width} px wider than the phone screen"


def _number(text: str) -> Decimal:
    """Read a French number (« 1 234,5 ») as a Decimal."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text).replace(",", ".")
    return Decimal(cleaned)


# --- The week that matters --------------------------------------------------------------------


def test_on_saturday_the_grower_sees_the_coming_week_and_last_week_one_tap_away(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone()
    sign_in(page, saturday_server, GROWER)
    card = page.locator("section", has=page.locator("#livraisons-titre"))
    text = card.inner_text()
    assert "semaine 50 (7–13 déc.)" in text, text
    assert "semaine 49 (30 nov.–6 déc.) :" not in text
    _fits_the_screen(page)
    assert accessibility_violations(page) == []
    screenshot(page, "accueil-producteur-samedi-360")

    page.get_by_role("link", name="Mes livraisons").first.click()
    page.wait_for_url(re.compile(r"/semaines/2026-W50/mes-livraisons"))
    assert "Mes livraisons — semaine 50" in page.locator("h1").inner_text()
    page.get_by_role("link", name=re.compile("Semaine précédente : semaine 49")).click()
    page.wait_for_url(re.compile(r"/semaines/2026-W49/mes-livraisons"))
    assert "Mes livraisons — semaine 49" in page.locator("h1").inner_text()
    _fits_the_screen(page)


def test_on_saturday_the_canteen_sees_monday_delivery_and_last_week_one_tap_away(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone()
    sign_in(page, saturday_server, NURSING_HOME)
    card = page.locator("section", has=page.locator("#livraison-titre"))
    assert "lundi 7 décembre" in card.inner_text()
    card.get_by_role("link", name=re.compile("Semaine précédente : semaine 49")).click()
    page.wait_for_url(re.compile(r"/semaines/2026-W49/mes-livraisons"))
    page.get_by_role("link", name="Mes livraisons").first.click()
    page.wait_for_url(re.compile(r"/semaines/2026-W50/mes-livraisons"))
    _fits_the_screen(page)


# --- Ordering with the offer in view ----------------------------------------------------------


def _week_total(page: Any) -> tuple[Decimal, Decimal]:
    return (
        _number(page.locator("#week-total-kg").inner_text()),
        _number(page.locator("#week-total-eur").inner_text()),
    )


def test_canteen_orders_seeing_the_offer_with_a_live_total(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone()
    sign_in(page, saturday_server, NURSING_HOME)
    page.locator("section.todo").first.get_by_role("link", name=re.compile("commande")).click()
    page.wait_for_url(re.compile(rf"/semaine/{OPEN_WEEK}/commande"))
    _fits_the_screen(page)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 6000, f"the order page is {height} px high"
    grid = page.locator("table.order-table")
    assert "Vos produits habituels" in grid.inner_text()
    first_market = grid.locator("small.market").first.inner_text()
    assert re.search(r"offert [\d\s\u202f,]+\s+déjà pris [\d\s\u202f,]+", first_market)
    assert accessibility_violations(page) == []

    # An empty box of a priced product: typing in it moves the totals as one types.
    box = grid.locator("input[data-price]:not([data-price=''])[value='']").first
    unit_kg = Decimal(box.get_attribute("data-unit-kg") or "1")
    price = Decimal(box.get_attribute("data-price") or "0")
    available = Decimal(box.get_attribute("data-available") or "0")
    kg_before, eur_before = _week_total(page)
    beyond = page.locator(f"#{box.get_attribute('id')}-beyond")
    assert not beyond.is_visible()
    quantity = (available + 500).quantize(Decimal(1))
    box.fill(str(quantity))
    kg_after, eur_after = _week_total(page)
    assert kg_after - kg_before == pytest.approx(quantity * unit_kg, abs=Decimal("0.1"))
    assert eur_after - eur_before == pytest.approx(quantity * price, abs=Decimal("0.01"))
    assert beyond.is_visible() and "au-delà du reste" in beyond.inner_text()
    screenshot(page, "commande-disponible-360")

    follow(page.get_by_role("button", name="Enregistrer ma commande"))
    assert "ligne" in page.locator(".flash-success").inner_text()
    warning = page.locator(".flash-warning", has_text="au-delà de ce que les producteurs offrent")
    assert warning.is_visible()
    assert "risque de ne pas être servi" in warning.inner_text()
    # After the save the server computes the same totals as the page did.
    assert _week_total(page) == (kg_after, eur_after)


def test_canteen_total_is_right_without_javascript(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone(javascript=False)
    sign_in(page, saturday_server, "creche.les-isards@demo.pial.example")
    page.goto(f"{saturday_server.url}/semaine/{OPEN_WEEK}/commande")
    boxes = page.locator("table.order-table input[data-day]")
    boxes.first.fill("3")
    follow(page.get_by_role("button", name="Enregistrer ma commande"))
    assert page.locator(".flash-success").is_visible()
    expected_kg, expected_eur = Decimal(0), Decimal(0)
    for index in range(boxes.count()):
        box = boxes.nth(index)
        value = box.input_value()
        if value:
            quantity = _number(value)
            expected_kg += quantity * Decimal(box.get_attribute("data-unit-kg") or "1")
            expected_eur += quantity * Decimal(box.get_attribute("data-price") or "0")
    kg, eur = _week_total(page)
    assert kg == expected_kg.quantize(Decimal("0.1"))
    assert eur == expected_eur.quantize(Decimal("0.01"))
    box = page.locator("body").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]


# --- The offer form: « mes produits » first, French order, closures ahead ---------------------


def _collated(names: list[str]) -> list[str]:
    from pial.i18n import collation_key

    return sorted(names, key=collation_key)


def test_grower_offers_from_my_products_and_sees_the_closures_ahead(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone()
    sign_in(page, saturday_server, GROWER)
    page.get_by_role("link", name="Ma semaine").first.click()
    page.wait_for_url(re.compile(rf"/semaine/{OPEN_WEEK}/offre"))
    _fits_the_screen(page)
    assert accessibility_violations(page) == []

    # Growers see ahead that the schools close for Christmas; the nursing home does not.
    closures = page.locator("section.closures-ahead").inner_text()
    assert re.search(r"du lundi 21 décembre au jeudi 31 décembre\s*\(Vacances de Noël\)", closures)
    assert "Cité scolaire de Luchon" in closures and "EHPAD" not in closures

    # « Mes produits » (learnt from the farm's past offers) come first, in French order.
    form = page.locator("form.grid-form")
    mine = form.locator(":scope > .quantity-field label, :scope > .quantity-field .product-name")
    mine_names = [name.split(" (")[0].strip() for name in mine.all_inner_texts()]
    assert mine_names and mine_names == _collated(mine_names)
    folded = page.locator("details.other-products")
    summary = folded.locator("summary")
    assert re.fullmatch(r"Autres produits de saison \(\d+\)", summary.inner_text().strip())
    other_box = folded.locator("input[type=text]").first
    assert not other_box.is_visible()
    summary.click()  # one tap away
    assert other_box.is_visible()
    other_names = [n.split(" (")[0].strip() for n in folded.locator("label").all_inner_texts()]
    assert other_names == _collated(other_names)
    screenshot(page, "offre-mes-produits-360")

    # The grower adds one of the other products to « mes produits »: it now comes first.
    added = other_names[0]
    follow(page.get_by_role("link", name="modifier la liste"))
    page.get_by_label(added, exact=True).check()
    follow(page.get_by_role("button", name="Enregistrer mes produits"))
    assert "Mes produits enregistrés" in page.locator(".flash-success").inner_text()
    _fits_the_screen(page)
    follow(page.get_by_role("link", name="Retour à mon offre"))
    mine_names = [name.split(" (")[0].strip() for name in mine.all_inner_texts()]
    assert added in mine_names and mine_names == _collated(mine_names)


# --- Closures --------------------------------------------------------------------------------


def test_a_school_declares_a_closure_and_nobody_orders_that_day(
    phone: Any, saturday_server: LiveServer
) -> None:
    page = phone()
    sign_in(page, saturday_server, SCHOOL)
    page.get_by_role("link", name="Fermetures").first.click()
    page.wait_for_url(re.compile(r"/fermetures"))
    ahead = page.locator("section", has=page.locator("#a-venir")).inner_text()
    assert "du lundi 21 décembre au jeudi 31 décembre — Vacances de Noël" in ahead
    assert accessibility_violations(page) == []

    page.get_by_label("Fermée du").fill("2026-12-14")
    page.get_by_label("au (inclus)").fill("2026-12-14")
    page.get_by_label("Raison (sortie scolaire, travaux…)").fill("Sortie au ski")
    follow(page.get_by_role("button", name="Déclarer la fermeture"))
    assert "Fermeture enregistrée." in page.locator(".flash-success").inner_text()
    # The standing order copied into week 51 for that Monday is withdrawn.
    assert re.search(r"\d+ lignes? de commande de ces jours-là", page.locator(".flash-warning")
                     .first.inner_text())  # fmt: skip
    assert "lundi 14 décembre — Sortie au ski" in page.locator("main").inner_text()
    _fits_the_screen(page)
    screenshot(page, "fermetures-cantine-360")

    page.goto(f"{saturday_server.url}/semaine/{OPEN_WEEK}/commande")
    note = page.locator("p.closed-day").inner_text()
    assert "lundi 14 décembre" in note and "est fermée (Sortie au ski)" in note
    assert page.locator("input[name$='-2026-12-14']").count() == 0
    assert page.locator("input[name$='-2026-12-17']").count() > 0
    _fits_the_screen(page)

    grower = phone()
    sign_in(grower, saturday_server, "mathieu.carrere@demo.pial.example")
    grower.goto(f"{saturday_server.url}/semaine/{OPEN_WEEK}/offre")
    closures = grower.locator("section.closures-ahead").inner_text()
    assert re.search(r"lundi 14 décembre\s*\(Sortie au ski\) : Cité scolaire de Luchon", closures)


# --- Receptions on a past delivery day of the published week ---------------------------------

TUESDAY = dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC)  # 15:00 in Paris, week 50 published


def test_canteen_records_a_shortfall_and_confirms_a_whole_farm_as_conforme(
    phone: Any, saturday_server: LiveServer, saturday_clock: SettableClock
) -> None:
    rows = saturday_server.query(
        """SELECT l.id, l.quantity, l.farm_id, f.name FROM allocation_lines l
           JOIN allocation_runs r ON r.id = l.run_id
           JOIN delivery_weeks w ON w.id = r.week_id
           JOIN products p ON p.id = l.product_id
           JOIN farms f ON f.id = l.farm_id
           JOIN users u ON u.canteen_id = l.canteen_id
           WHERE w.iso_week = '2026-W50' AND r.published_version IS NOT NULL
             AND l.day = '2026-12-07' AND u.email = :email AND p.unit = 'kg'
             AND l.quantity >= 3
           ORDER BY l.quantity DESC, l.id""",
        email=NURSING_HOME,
    )
    assert rows, "the nursing home has kilos delivered on Monday 7 December"
    line_id, planned, short_farm = int(rows[0][0]), Decimal(str(rows[0][1])), int(rows[0][2])
    others = [row for row in rows if int(row[2]) != short_farm]
    saturday_clock.moment = TUESDAY  # Monday 7 December is now past
    try:
        page = phone()
        sign_in(page, saturday_server, NURSING_HOME)
        page.goto(f"{saturday_server.url}/semaines/2026-W50/mes-livraisons")
        row = page.locator(f"#ligne-{line_id}")
        row.locator("summary", has_text="Confirmer la réception").click()
        received = planned - 2
        row.get_by_label("Quantité reçue").fill(str(received).replace(".", ","))
        row.get_by_label("Raison du manque (si moins que prévu)").fill("Grêle sur la parcelle")
        follow(row.get_by_role("button", name="Enregistrer"))
        assert page.locator(".flash-success").inner_text() == "Réception enregistrée."
        text = page.locator(f"#ligne-{line_id} p.shortfall").inner_text()
        planned_text = _french(planned)
        received_text = _french(received)
        assert re.search(
            rf"Reçu : {received_text} kg sur {planned_text} — manque 2 kg "
            r"\(Grêle sur la parcelle\)\. Qualité : conforme", text
        ), text
        _fits_the_screen(page)
        assert accessibility_violations(page) == []
        page.locator(f"#ligne-{line_id} p.shortfall").scroll_into_view_if_needed()
        screenshot(page, "reception-manque-360")

        # A whole farm's delivery of that Monday, confirmed in one tap.
        assert others, "the nursing home has a second farm on Monday 7 December"
        farm_name = str(others[0][3])
        note = page.locator("section.card", has=page.locator("#bon-2026-12-07"))
        follow(note.get_by_role("button", name=f"Tout conforme : {farm_name}"))
        assert "Livraison reçue en entier et conforme" in page.locator(
            ".flash-success").inner_text()
        note = page.locator("section.card", has=page.locator("#bon-2026-12-07"))
        assert note.get_by_role("button", name=f"Tout conforme : {farm_name}").count() == 0
        farm_lines = saturday_server.query(
            """SELECT l.id FROM allocation_lines l JOIN allocation_runs r ON r.id = l.run_id
               JOIN delivery_weeks w ON w.id = r.week_id JOIN farms f ON f.id = l.farm_id
               JOIN users u ON u.canteen_id = l.canteen_id
               WHERE w.iso_week = '2026-W50' AND r.published_version IS NOT NULL
                 AND l.day = '2026-12-07' AND u.email = :email AND f.name = :farm""",
            email=NURSING_HOME, farm=farm_name,
        )
        assert farm_lines
        for (other_id,) in farm_lines:
            cell = page.locator(f"#ligne-{other_id} td").last.inner_text()
            assert re.match(r"Reçu : [\d\s\u202f,]+, conforme", cell), cell
        _fits_the_screen(page)
        assert accessibility_violations(page) == []
    finally:
        saturday_clock.moment = SATURDAY


def _french(quantity: Decimal) -> str:
    """Write a quantity as the page does (« 18 », « 12,5 »)."""
    text = format(quantity.normalize(), "f")
    return re.escape(text.replace(".", ","))
