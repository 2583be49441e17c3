"""Write the demo territory's standing rows: settings, seasons, farms, canteens, catalogue, users.

These rows have no history, so they are inserted directly; everything that happens week after
week (offers, orders, plans, receipts) goes through the services, in ``season.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from pial.auth.passwords import hash_password
from pial.clock import today_in_paris
from pial.demo.places import demo_communes
from pial.demo.territory import (
    CANTEEN_GROUP_NAME,
    CANTEENS,
    CONTRACT,
    CONTRACT_BUYERS,
    DEMO_PASSWORD,
    FARMS,
    LEAD,
    PLATFORM,
    PRODUCTS,
    CanteenSpec,
    Commune,
    FarmSpec,
    ProductSpec,
    split_price,
)
from pial.models import (
    PLATFORM_ID,
    Canteen,
    CanteenGroup,
    CanteenKind,
    CertificationLabel,
    Contract,
    ContractLine,
    Farm,
    FarmCertificate,
    FeeKind,
    FeeRate,
    Platform,
    Price,
    Product,
    Role,
    Season,
    User,
)

CENT = Decimal("0.01")

YEARLY_PRICE_RISE = Decimal("0.02")
"""How much list prices rise from one season to the next (only used past the first season)."""


def season_start(school_year: int) -> dt.date:
    """Return the first day of the season of ``school_year``: the Monday of 1 September's week."""
    first_september = dt.date(school_year, 9, 1)
    return first_september - dt.timedelta(days=first_september.weekday())


def season_year_of(day: dt.date) -> int:
    """Return the year in which the season containing ``day`` started."""
    return day.year if day >= season_start(day.year) else day.year - 1


def season_code(school_year: int) -> str:
    """Return the code of a season, e.g. ``2026-2027``."""
    return f"{school_year}-{school_year + 1}"


@dataclass(frozen=True, slots=True)
class Territory:
    """The rows of the demo territory, by their declarative key."""

    lead: User
    farms: Mapping[str, Farm]
    growers: Mapping[str, User]  # by farm key
    canteens: Mapping[str, Canteen]
    managers: Mapping[str, User]  # by canteen key
    products: Mapping[str, Product]  # by slug
    seasons: tuple[Season, ...]
    contract: Contract


LUCHON_COMMUNE_SIRET = "21310080000019"
"""A test SIRET (Luhn-valid) for the commune invoiced for its two kitchens."""


def create_territory(session: Session, first_day: dt.date, last_day: dt.date) -> Territory:
    """Insert the demo's standing rows, with priced seasons covering ``first_day``…``last_day``."""
    first_year = season_year_of(first_day)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: every demo account shares it
    session.add(_platform())
    session.add_all(
        FeeRate(kind=kind, rate=rate, valid_from=season_start(first_year), note="Démonstration")
        for kind, rate in ((FeeKind.FEE, PLATFORM.fee_rate), (FeeKind.FUND, PLATFORM.fund_rate))
    )
    communes = demo_communes()
    farms = {spec.key: _farm(spec, communes[spec.commune]) for spec in FARMS}
    canteens = {spec.key: _canteen(spec, communes[spec.commune]) for spec in CANTEENS}
    products = {spec.slug: _product(spec) for spec in PRODUCTS}
    session.add_all([*farms.values(), *canteens.values(), *products.values()])

    seasons = tuple(
        _priced_season(session, year, products, rise_years=year - first_year)
        for year in range(first_year, season_year_of(last_day) + 1)
    )
    group = CanteenGroup(
        name=CANTEEN_GROUP_NAME,
        note="Commande publique groupée des deux cuisines de Bagnères-de-Luchon.",
        canteens=[canteens[key] for key in CONTRACT_BUYERS],
        # The commune pays for both kitchens: one invoice a month for the two of them.
        siret=LUCHON_COMMUNE_SIRET,
        address="Hôtel de ville, allées d'Étigny\n31110 Bagnères-de-Luchon",
    )
    for key in CONTRACT_BUYERS:
        canteens[key].invoiced_group = group
    contract = _contract(first_year, group, products, list(farms.values()))
    session.add_all([group, contract])

    lead = User(
        email=LEAD.email,
        display_name=LEAD.display_name,
        password_hash=password_hash,
        role=Role.LEAD,
    )
    growers = {
        spec.key: User(
            email=spec.grower.email,
            display_name=spec.grower.display_name,
            password_hash=password_hash,
            role=Role.GROWER,
            farm=farms[spec.key],
        )
        for spec in FARMS
    }
    managers = {
        spec.key: User(
            email=spec.manager.email,
            display_name=spec.manager.display_name,
            password_hash=password_hash,
            role=Role.CANTEEN,
            canteen=canteens[spec.key],
        )
        for spec in CANTEENS
    }
    session.add_all([lead, *growers.values(), *managers.values()])
    session.flush()
    return Territory(lead, farms, growers, canteens, managers, products, seasons, contract)


def _platform() -> Platform:
    """Return the platform settings row of the demo."""
    spec = PLATFORM
    return Platform(
        id=PLATFORM_ID,
        territory_name=spec.territory_name,
        legal_name=spec.legal_name,
        siret=spec.siret,
        address=spec.address,
        vat_number=spec.vat_number,
        organic_body=spec.organic_body,
        organic_number=spec.organic_number,
        timezone=spec.timezone,
        default_locale="fr",
        delivery_weekdays=spec.delivery_weekdays,
        deadline_weeks_before=spec.deadline_weeks_before,
        availability_deadline_weekday=spec.availability_deadline_weekday,
        availability_deadline_time=spec.availability_deadline_time,
        order_deadline_weekday=spec.order_deadline_weekday,
        order_deadline_time=spec.order_deadline_time,
        publish_fallback_weekday=spec.publish_fallback_weekday,
        publish_fallback_time=spec.publish_fallback_time,
        max_km=spec.max_km,
        road_factor=spec.road_factor,
        ledger_catch_up=spec.ledger_catch_up,
        weight_distance=spec.weight_distance,
        weight_fairness=spec.weight_fairness,
        weight_deliveries=spec.weight_deliveries,
        weight_stability=spec.weight_stability,
        time_limit_s=spec.time_limit_s,
        default_fee_rate=spec.fee_rate,
        default_fund_rate=spec.fund_rate,
    )


def _farm(spec: FarmSpec, commune: Commune) -> Farm:
    """Return the row of a demo farm, placed at its commune's town hall."""
    return Farm(
        name=spec.name,
        commune=commune.name,
        insee_code=commune.insee_code,
        address=spec.address,
        lat=commune.lat,
        lon=commune.lon,
        siret=spec.siret,
        certificates=[
            FarmCertificate(
                label=CertificationLabel.BIO,
                body=spec.organic_body,
                number=spec.organic_number,
                valid_from=spec.organic_since,
                # Renewed every year; the one in force runs to the end of the next year.
                valid_until=dt.date(today_in_paris().year + 1, 12, 31),
            )
        ],
        target_share=spec.target_share,
        contact_phone=spec.grower.phone,
        contact_email=spec.grower.email,
    )


_SCHOOL_KINDS = (CanteenKind.SCHOOL, CanteenKind.SECONDARY_SCHOOL)


def _canteen(spec: CanteenSpec, commune: Commune) -> Canteen:
    """Return the row of a demo canteen, placed at its commune's town hall."""
    return Canteen(
        name=spec.name,
        kind=spec.kind,
        commune=commune.name,
        insee_code=commune.insee_code,
        address=spec.address,
        siret=spec.siret,
        lat=commune.lat,
        lon=commune.lon,
        meals_per_day=spec.meals_per_day,
        delivery_weekdays=spec.delivery_weekdays,
        delivery_note=spec.delivery_note or None,
        # The Comminges is in the académie de Toulouse: its schools follow zone C's holidays.
        school_zone="C" if spec.kind in _SCHOOL_KINDS else None,
        contact_phone=spec.manager.phone,
        contact_email=spec.manager.email,
    )


def _product(spec: ProductSpec) -> Product:
    """Return the catalogue row of a demo product."""
    return Product(
        slug=spec.slug,
        name_fr=spec.name_fr,
        name_en=spec.name_en,
        unit=spec.unit,
        unit_kg=spec.unit_kg,
        lot_size=spec.lot_size,
        season_mask=spec.season_mask,
        is_organic=True,
    )


def _priced_season(
    session: Session, school_year: int, products: Mapping[str, Product], rise_years: int
) -> Season:
    """Insert the season starting in ``school_year`` and the price of every product in it."""
    season = Season(
        code=season_code(school_year),
        start_date=season_start(school_year),
        end_date=season_start(school_year + 1) - dt.timedelta(days=1),
    )
    rise = (1 + YEARLY_PRICE_RISE) ** rise_years
    for spec in PRODUCTS:
        parts = split_price((spec.price_eur * rise).quantize(CENT))
        season.prices.append(
            Price(
                product=products[spec.slug],
                production_cost_eur=parts.production_cost_eur,
                margin_eur=parts.margin_eur,
                intermediation_fee_eur=parts.intermediation_fee_eur,
            )
        )
    session.add(season)
    return season


def _contract(
    school_year: int, group: CanteenGroup, products: Mapping[str, Product], farms: list[Farm]
) -> Contract:
    """Return the three-year tender lot, priced at the first season's prices less its discount."""
    spec = CONTRACT
    prices = {product.slug: product.price_eur for product in PRODUCTS}
    contract = Contract(
        title=spec.title,
        tender_reference=spec.tender_reference,
        lot_label=spec.lot_label,
        canteen_group=group,
        start_date=season_start(school_year),
        end_date=season_start(school_year + spec.years) - dt.timedelta(days=1),
        delivery_frequency=spec.delivery_frequency,
        notes=spec.notes,
        growers=farms,
    )
    for line in spec.lines:
        parts = split_price((prices[line.product_slug] * (1 - spec.price_discount)).quantize(CENT))
        contract.lines.append(
            ContractLine(
                product=products[line.product_slug],
                committed_min_quantity_per_year=line.committed_min_per_year,
                production_cost_eur=parts.production_cost_eur,
                margin_eur=parts.margin_eur,
                intermediation_fee_eur=parts.intermediation_fee_eur,
            )
        )
    return contract
