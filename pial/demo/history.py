"""The demo's seasons before PIAL: three school years of the shared spreadsheet, imported.

The group kept its weekly orders, offers and crop failures in a shared spreadsheet before
PIAL; a group adopting PIAL imports them as ``HistoryLine`` rows so that the season forecast
learns from more than a few weeks. The demo draws those years with the same menus and offers
as the season it plays (``menus.draft_week``), on their own random generator (the season
played is unchanged), and writes them in one bulk insert: a second at most.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from pial.demo.menus import draft_week
from pial.demo.setup import Territory, season_code, season_start
from pial.demo.territory import PLATFORM, PRODUCTS, RANDOM_SEED
from pial.models import HistoryKind, HistoryLine

PAST_SEASONS = 3
"""School years of spreadsheet history before the first season played in PIAL."""

LOSS_EVERY_WEEKS = 4
"""One week in this many, a farm declared losing part of a crop (as in the season played)."""

_LOT = {spec.slug: spec.lot_size or Decimal(1) for spec in PRODUCTS}


def past_mondays(first_played: dt.date, seasons: int = PAST_SEASONS) -> list[dt.date]:
    """Return the Mondays of the ``seasons`` school years before the one ``first_played`` is in."""
    year = first_played.year if first_played >= season_start(first_played.year) \
        else first_played.year - 1
    monday = season_start(year - seasons)
    mondays = []
    while monday < season_start(year):
        mondays.append(monday)
        monday += dt.timedelta(weeks=1)
    return mondays


def load_past_seasons(session: Session, territory: Territory, first_played: dt.date) -> int:
    """Insert the spreadsheet years before ``first_played``'s season; return the lines added."""
    rng = random.Random(RANDOM_SEED - 1)
    weekdays = tuple(int(day) for day in PLATFORM.delivery_weekdays.split(","))
    rows: list[dict[str, Any]] = []
    created = dt.datetime.now(dt.UTC)
    for index, monday in enumerate(past_mondays(first_played)):
        drafts = draft_week(monday, weekdays, rng)
        source = f"Tableau de planification-répartition {season_code(_season_year(monday))}"
        base = {"monday_date": monday, "source": source, "created_dt": created}
        for key, lines in drafts.orders.items():
            ordered: dict[str, Decimal] = defaultdict(Decimal)
            for line in lines:
                ordered[line.product_slug] += line.quantity
            rows += [{**base, "kind": HistoryKind.ORDER, "canteen_id": territory.canteens[key].id,
                      "farm_id": None, "product_id": territory.products[slug].id,
                      "quantity": quantity} for slug, quantity in ordered.items()]
        offers = [(key, line.product_slug, line.quantity)
                  for key, lines in drafts.offers.items() for line in lines]
        rows += [{**base, "kind": HistoryKind.OFFER, "canteen_id": None,
                  "farm_id": territory.farms[key].id, "product_id": territory.products[slug].id,
                  "quantity": quantity} for key, slug, quantity in offers]
        loss = _loss(offers, rng) if index % LOSS_EVERY_WEEKS == 2 else None
        if loss is not None:
            key, slug, quantity = loss
            rows.append({**base, "kind": HistoryKind.LOSS, "canteen_id": None,
                         "farm_id": territory.farms[key].id,
                         "product_id": territory.products[slug].id, "quantity": quantity})
    if rows:
        session.execute(insert(HistoryLine), rows)
    return len(rows)


def _season_year(monday: dt.date) -> int:
    return monday.year if monday >= season_start(monday.year) else monday.year - 1


def _loss(
    offers: list[tuple[str, str, Decimal]], rng: random.Random
) -> tuple[str, str, Decimal] | None:
    """Pick a crop offered in at least two crates and lose 30 to 60 % of it, in whole crates."""
    candidates = sorted((key, slug, quantity) for key, slug, quantity in offers
                        if quantity >= 2 * _LOT[slug])
    if not candidates:
        return None
    key, slug, quantity = rng.choice(candidates)
    lot = _LOT[slug]
    lots = (quantity / lot * Decimal(str(rng.uniform(0.3, 0.6)))).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    return key, slug, lot * max(Decimal(1), lots)
