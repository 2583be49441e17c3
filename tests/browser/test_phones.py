"""Phones (360 × 740): every menu page of every role fits the screen; the menu fits the role.

A page may be taller than the screen, never wider; a wide table scrolls inside its own box
(``.table-scroll``), so nothing visible is cut at the screen's edge outside such a box.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    LiveServer,
    follow,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCOUNTS = {
    "grower": "mathieu.carrere@demo.pial.example",
    "canteen": "cuisine.cite-scolaire@demo.pial.example",
    "lead": "coordination@demo.pial.example",
}

# Visible elements reaching past the screen's sides, unless a scrolling box holds them.
CLIPPED_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (['auto', 'scroll'].includes(style.overflowX)) return true;
    }
    return false;
  };
  const hiddenOnPurpose = el => el.closest(
    '.skip-link, .visually-hidden, details:not([open]) > :not(summary)');
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    // Hidden (display: none, a closed <details>…) or drawn inside a chart: the <svg> counts.
    if (!el.checkVisibility({visibilityProperty: true}) || el.ownerSVGElement) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (hiddenOnPurpose(el)) continue;
    if ((box.right > width + 1 || box.left < -1) && !scrolls(el)) {
      const name = typeof el.className === 'string' && el.className
        ? '.' + el.className.split(' ').join('.') : '';
      const text = (el.innerText || el.textContent || el.value || '').trim().slice(0, 40);
      found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${name}`
        + ` « ${text} » [${Math.round(box.left)}–${Math.round(box.right)}]`);
    }
  }
  return found.slice(0, 8);
}"""


def _menu_links(page: Any) -> list[str]:
    return list(page.locator("nav .nav a").evaluate_all("links => links.map(a => a.href)"))


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_menu_page_of_a_role_fits_a_phone(
    open_page: Any, live_server: LiveServer, role: str
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, ACCOUNTS[role])
    links = [f"{live_server.url}/", *_menu_links(page), f"{live_server.url}/compte/langue"]
    assert len(links) >= 4
    problems = {}
    for url in dict.fromkeys(links):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        path = url.removeprefix(live_server.url)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        clipped = page.evaluate(CLIPPED_SCRIPT)
        if overflow > 0 or clipped:
            problems[path] = {"wider_by_px": overflow, "clipped": clipped}
            screenshot(page, f"trop-large-{role}-{path.strip('/').replace('/', '-') or 'accueil'}")
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_menu_shows_each_role_what_it_uses_the_rest_under_plus(
    open_page: Any, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, ACCOUNTS["grower"])
    main_row = page.locator("nav .nav > li > a").all_inner_texts()
    assert "Ma semaine" in main_row and "Mes livraisons" in main_row
    assert "Jetons d'API" not in main_row and len(main_row) <= 5
    # Every main entry is whole on the screen: no « Planning de la se… ».
    for link in page.locator("nav .nav > li > a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    more = page.locator("nav .nav-more")
    assert not more.get_by_role("link", name="Jetons d'API").is_visible()
    more.get_by_text("Plus").click()
    follow(more.get_by_role("link", name="Jetons d'API"))
    assert page.locator("h1").inner_text() == "Jetons d'API"
    screenshot(page, "menu-plus-360")
