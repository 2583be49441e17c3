"""The demo's coming season: crops declared, weeks off, and a tender lot to answer.

Le Potager de Juzet has declared its crops for the coming season (with a new tunnel: more
lettuce, chard and spinach), la Ferme de Valentine the three August weeks it cannot deliver,
and the lead entered lot 4 of the Comminges schools' tender (three years from the coming
season) to ask PIAL whether the group can commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from pial.demo.setup import Territory, season_start
from pial.demo.territory import FARMS
from pial.models import (
    CanteenGroup,
    CropDeclaration,
    FarmWeekOff,
    Price,
    TenderLot,
    TenderLotLine,
)

DECLARING_FARM = "potager-de-juzet"
"""The farm that declared its crops for the coming season."""

DECLARED_MAX_WEEKLY: dict[str, Decimal] = {
    "laitue": Decimal("180"),  # pieces a week, from the new 400 m² tunnel
    "feuille-de-chene": Decimal("90"),
    "blette": Decimal("40"),
    "epinard": Decimal("35"),
}
"""The weekly maximum it gave for some crops (the others: as in past seasons)."""

DECLARED_AREA: dict[str, tuple[Decimal, Decimal]] = {
    "tomate": (Decimal("250"), Decimal("4")),  # m², kg per m² over the season
}

WEEKS_OFF_FARM = "ferme-de-valentine"
WEEKS_OFF = (32, 33, 34)
"""ISO weeks of August the farm does not deliver (the family's holidays)."""


@dataclass(frozen=True, slots=True)
class LotLineSpec:
    """A product of the demo lot and the buyer's yearly estimate (in the product's unit)."""

    product_slug: str
    yearly_estimate: Decimal


LOT_GROUP = "Écoles du Comminges (Montréjeau, Cierp-Gaud)"
LOT_BUYERS = ("ecole-montrejeau", "ecole-cierp-gaud")
LOT_LINES = (
    LotLineSpec("carotte", Decimal("900")),
    LotLineSpec("pomme-de-terre", Decimal("1200")),
    LotLineSpec("poireau", Decimal("350")),
    LotLineSpec("courge-butternut", Decimal("300")),
    LotLineSpec("betterave", Decimal("250")),
    LotLineSpec("courgette", Decimal("300")),
    LotLineSpec("laitue", Decimal("1500")),
)


def coming_year(first_played: dt.date) -> int:
    """Return the year the season after the one ``first_played`` is in starts."""
    year = first_played.year if first_played >= season_start(first_played.year) \
        else first_played.year - 1
    return year + 1


def prepare_coming_season(session: Session, territory: Territory, year: int) -> TenderLot:
    """Write the declarations, weeks off and tender lot of the season starting in ``year``."""
    farm = territory.farms[DECLARING_FARM]
    spec = next(spec for spec in FARMS if spec.key == DECLARING_FARM)
    for slug in spec.crops:
        area = DECLARED_AREA.get(slug)
        session.add(CropDeclaration(
            farm=farm, product=territory.products[slug], season_year=year,
            max_weekly_quantity=DECLARED_MAX_WEEKLY.get(slug),
            area_m2=area[0] if area else None, yield_per_m2=area[1] if area else None,
            note="Nouvelle serre-tunnel de 400 m²" if slug in DECLARED_MAX_WEEKLY else None,
        ))
    for number in WEEKS_OFF:
        monday = dt.date.fromisocalendar(year + 1, number, 1)
        session.add(FarmWeekOff(farm=territory.farms[WEEKS_OFF_FARM], monday_date=monday,
                                note="Congés d'été"))
    group = CanteenGroup(
        name=LOT_GROUP, note="Consultation groupée de la communauté de communes.",
        canteens=[territory.canteens[key] for key in LOT_BUYERS])
    start = season_start(year)
    prices = {price.product_id: price for season in territory.seasons for price in season.prices}
    lot = TenderLot(
        title="Lot 4 – légumes frais bio, restauration scolaire",
        tender_reference="CCPL-2027-RS-02",
        lot_label="Lot 4",
        canteen_group=group,
        delivery_sites="École Jean-Jaurès, boulevard de Lassus, 31210 Montréjeau ; "
                       "École de Cierp-Gaud, avenue de la Gare, 31440 Cierp-Gaud",
        delivery_weekdays="1,4",
        years=3,
        start_date=start,
        confidence=Decimal("0.95"),
        notes="Volumes annuels estimés par l'acheteur ; engagement minimum demandé par produit.",
    )
    for line in LOT_LINES:
        product = territory.products[line.product_slug]
        price: Price = prices[product.id]
        lot.lines.append(TenderLotLine(
            product=product, yearly_estimate=line.yearly_estimate,
            production_cost_eur=price.production_cost_eur, margin_eur=price.margin_eur,
            intermediation_fee_eur=price.intermediation_fee_eur,
        ))
    session.add_all([group, lot])
    session.flush()
    return lot
