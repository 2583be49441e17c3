"""The demo territory, Comminges – Pays de Luchon, as typed constants.

Everything here is declarative: places, farms, canteens, the catalogue, the tender lot and the
people. The people and farm names are fictional; the communes and their town-hall coordinates
are real (``communes-sud-ouest.csv`` of the shared reference data, INSEE codes and town-hall
locations under the Licence Ouverte), copied here so the demo runs from a fresh clone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

from pial.models import CanteenKind, ProductUnit

DEMO_PASSWORD = "demo-pial-2026"
"""The one password of every demo account (printed by ``pial demo``)."""

EMAIL_DOMAIN = "demo.pial.example"
"""A reserved domain (RFC 2606): no demo e-mail can ever reach a real mailbox."""

RANDOM_SEED = 2026
"""Seed of the generator that simulates the season, so that every demo is the same."""


@dataclass(frozen=True, slots=True)
class Commune:
    """A real commune and its town-hall coordinates (WGS84)."""

    name: str
    insee_code: str
    lat: float
    lon: float


# Copied from /work/shared/data/communes-sud-ouest.csv (columns insee, name, lat, lon).
COMMUNES: tuple[Commune, ...] = (
    Commune("Bagnères-de-Luchon", "31042", 42.7912, 0.59119),
    Commune("Saint-Mamet", "31500", 42.78298, 0.60232),
    Commune("Montauban-de-Luchon", "31360", 42.79152, 0.60699),
    Commune("Juzet-de-Luchon", "31244", 42.8086, 0.60941),
    Commune("Moustajon", "31394", 42.81503, 0.59751),
    Commune("Cier-de-Luchon", "31142", 42.85611, 0.60061),
    Commune("Cierp-Gaud", "31144", 42.91402, 0.63858),
    Commune("Saint-Béat-Lez", "31471", 42.91377, 0.69313),
    Commune("Barbazan", "31045", 43.0327, 0.6224),
    Commune("Loures-Barousse", "65287", 43.02531, 0.60534),
    Commune("Montréjeau", "31390", 43.0821, 0.59319),
    Commune("Valentine", "31565", 43.0952, 0.70408),
)


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """The territory-wide settings of the demo platform."""

    territory_name: str
    legal_name: str
    siret: str
    address: str
    vat_number: str
    organic_body: str
    organic_number: str
    timezone: str
    delivery_weekdays: str
    deadline_weeks_before: int
    availability_deadline_weekday: int
    availability_deadline_time: time
    order_deadline_weekday: int
    order_deadline_time: time
    publish_fallback_weekday: int
    publish_fallback_time: time
    max_km: float
    road_factor: float
    ledger_catch_up: float
    weight_distance: float
    weight_fairness: float
    weight_deliveries: float
    weight_stability: float
    time_limit_s: float
    fee_rate: Decimal
    fund_rate: Decimal


# Growers offer by Thursday noon and canteens order by Thursday 18:00 of the week before, so
# the coordinator can run and publish the planning on Friday morning.
PLATFORM = PlatformSpec(
    territory_name="Comminges – Pays de Luchon",
    # Test identifiers: well-formed (Luhn-valid) but made up, like every demo SIRET below.
    legal_name="SCIC Légumes bio du Comminges",
    siret="91234501400019",
    address="Maison des producteurs, 2 place du Marché, 31110 Bagnères-de-Luchon",
    vat_number="FR40912345014",
    organic_body="Ecocert France (FR-BIO-01)",
    organic_number="FR-BIO-01-31-2023-2211",
    timezone="Europe/Paris",
    delivery_weekdays="1,4",
    deadline_weeks_before=1,
    availability_deadline_weekday=4,
    availability_deadline_time=time(12, 0),
    order_deadline_weekday=4,
    order_deadline_time=time(18, 0),
    publish_fallback_weekday=5,
    publish_fallback_time=time(12, 0),
    max_km=60.0,
    road_factor=1.3,
    ledger_catch_up=0.5,
    # One kg·km weighs 0.05 € of share deviation: moving 10 kg of carrots (≈ 20 €) 10 km
    # further is worth it to bring a grower 5 € closer to its share. At 1:1 the nearest farm
    # always won and one farm's ledger sank to −1 091 € in twelve weeks; at 0.05 the ledgers
    # stayed within −337 € / +614 € for about 40 % more kg·km (measured on the demo season).
    weight_distance=0.05,
    weight_fairness=1.0,
    weight_deliveries=10.0,  # a trip weighs like 10 kg carried 1 km: a gentle consolidation
    weight_stability=100.0,  # only re-plans have a previous plan to stay close to
    time_limit_s=10.0,
    fee_rate=Decimal("0.0500"),
    fund_rate=Decimal("0.0100"),
)


class Use(StrEnum):
    """How a kitchen uses a product, which decides how it enters the simulated menus."""

    COOKED = "cooked"  # the hot vegetable of a meal
    RAW = "raw"  # a raw starter (crudités, salad)
    BOTH = "both"
    SEASONING = "seasoning"  # onions, garlic, herbs: small quantities with every order


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """A product of the demo catalogue and its season price per unit (€)."""

    slug: str
    name_fr: str
    name_en: str
    unit: ProductUnit
    unit_kg: Decimal
    lot_size: Decimal | None  # units per crate; None = sold by the unit
    season_mask: str  # 12 characters, January first
    price_eur: Decimal  # per unit, paid by canteens
    use: Use
    popularity: int  # relative weight in the simulated menus


def _kg(
    slug: str,
    name_fr: str,
    name_en: str,
    lot_kg: str,
    mask: str,
    price: str,
    use: Use,
    popularity: int = 2,
) -> ProductSpec:
    """Return a product sold by the kilogram, in crates of ``lot_kg``."""
    return ProductSpec(
        slug, name_fr, name_en, ProductUnit.KG, Decimal("1"), Decimal(lot_kg), mask,
        Decimal(price), use, popularity,
    )


def _each(
    slug: str,
    name_fr: str,
    name_en: str,
    unit: ProductUnit,
    unit_kg: str,
    lot: str | None,
    mask: str,
    price: str,
    use: Use,
    popularity: int = 2,
) -> ProductSpec:
    """Return a product sold by the piece or the bunch."""
    return ProductSpec(
        slug, name_fr, name_en, unit, Decimal(unit_kg), Decimal(lot) if lot else None, mask,
        Decimal(price), use, popularity,
    )


PIECE = ProductUnit.PIECE
BUNCH = ProductUnit.BUNCH

# Harvest months in the south-west (stored crops count as in season while they are sold);
# prices to canteens: roots ~1–2 €/kg, fruiting vegetables ~2.5–4 €/kg, leafy and herbs ~3–6.
PRODUCTS: tuple[ProductSpec, ...] = (
    # Roots, tubers and bulbs.
    _kg("carotte", "Carotte", "Carrot", "5", "111001111111", "1.60", Use.BOTH, 6),
    _kg("betterave", "Betterave rouge", "Beetroot", "5", "100000011111", "1.80", Use.BOTH, 3),
    _kg("panais", "Panais", "Parsnip", "5", "110000000111", "2.00", Use.COOKED, 2),
    _kg("pomme-de-terre", "Pomme de terre", "Potato", "10", "111101111111", "1.25", Use.COOKED, 6),
    _kg("celeri-rave", "Céleri-rave", "Celeriac", "5", "110000000111", "1.90", Use.BOTH, 2),
    _kg("navet", "Navet", "Turnip", "5", "111011000111", "1.70", Use.COOKED, 2),
    _kg("radis-noir", "Radis noir", "Black radish", "2", "110000000111", "1.90", Use.RAW, 1),
    _kg("topinambour", "Topinambour", "Jerusalem artichoke", "5", "111000000011", "1.95",
        Use.COOKED, 1),
    _kg("oignon", "Oignon jaune", "Yellow onion", "5", "111000111111", "1.45", Use.SEASONING, 4),
    _kg("echalote", "Échalote", "Shallot", "1", "110000111111", "3.80", Use.SEASONING, 1),
    _kg("ail", "Ail", "Garlic", "1", "110000111111", "6.50", Use.SEASONING, 1),
    # Winter squash: harvested in September–October, stored until February.
    _kg("courge-butternut", "Courge butternut", "Butternut squash", "5", "110000001111", "1.80",
        Use.COOKED, 4),
    _kg("potimarron", "Potimarron", "Red kuri squash", "5", "110000001111", "1.95", Use.COOKED, 4),
    _kg("courge-musquee", "Courge musquée de Provence", "Provence pumpkin", "5", "110000001111",
        "1.70", Use.COOKED, 2),
    # Fruiting vegetables.
    _kg("tomate", "Tomate", "Tomato", "5", "000001110000", "3.20", Use.BOTH, 5),
    _kg("poivron", "Poivron", "Sweet pepper", "5", "000001110000", "3.80", Use.COOKED, 2),
    _kg("courgette", "Courgette", "Courgette", "5", "000001111000", "2.50", Use.COOKED, 5),
    _kg("aubergine", "Aubergine", "Aubergine", "5", "000001111000", "3.20", Use.COOKED, 2),
    _each("concombre", "Concombre", "Cucumber", PIECE, "0.400", "12", "000001111000", "1.10",
          Use.RAW, 3),
    _kg("haricot-vert", "Haricot vert", "Green bean", "2", "000001111000", "4.80", Use.COOKED, 3),
    _kg("feve", "Fève", "Broad bean", "2", "000111000000", "3.50", Use.COOKED, 1),
    # Leafy vegetables and salads.
    _each("laitue", "Laitue", "Lettuce", PIECE, "0.350", "12", "001111111110", "1.10", Use.RAW, 5),
    _each("feuille-de-chene", "Laitue feuille de chêne", "Oak-leaf lettuce", PIECE, "0.300", "12",
          "001111111110", "1.05", Use.RAW, 2),
    _each("scarole", "Scarole", "Escarole", PIECE, "0.500", "10", "100000001111", "1.60",
          Use.RAW, 2),
    _kg("mache", "Mâche", "Lamb's lettuce", "1", "111000000111", "6.00", Use.RAW, 1),
    _kg("mesclun", "Mesclun", "Salad mix", "1", "001111111110", "6.00", Use.RAW, 1),
    _kg("epinard", "Épinard", "Spinach", "2", "111100000111", "4.80", Use.COOKED, 2),
    _kg("blette", "Blette", "Chard", "2", "000001111111", "3.00", Use.COOKED, 2),
    _kg("poireau", "Poireau", "Leek", "5", "111100001111", "2.30", Use.COOKED, 5),
    _kg("fenouil", "Fenouil", "Fennel", "2", "000001111110", "2.90", Use.BOTH, 1),
    # Cabbages.
    _each("chou-fleur", "Chou-fleur", "Cauliflower", PIECE, "1.000", "6", "111000000111", "2.40",
          Use.COOKED, 3),
    _each("chou-vert", "Chou vert frisé", "Savoy cabbage", PIECE, "1.200", "6", "111000001111",
          "2.20", Use.COOKED, 2),
    _each("chou-rouge", "Chou rouge", "Red cabbage", PIECE, "1.000", "6", "110000001111", "2.00",
          Use.RAW, 2),
    _kg("chou-de-bruxelles", "Chou de Bruxelles", "Brussels sprout", "2", "110000000111", "4.50",
        Use.COOKED, 1),
    _kg("brocoli", "Brocoli", "Broccoli", "2", "000110001110", "4.20", Use.COOKED, 3),
    # Bunches.
    _each("radis", "Radis rose", "Radish", BUNCH, "0.250", "10", "000111111100", "1.10",
          Use.RAW, 2),
    _each("carotte-botte", "Carottes nouvelles en botte", "Bunched new carrots", BUNCH, "0.500",
          "10", "000011100000", "1.60", Use.RAW, 2),
    _each("oignon-botte", "Oignons blancs en botte", "Bunched white onions", BUNCH, "0.400", "10",
          "000111000000", "1.40", Use.SEASONING, 1),
    # Herbs, sold by the bunch.
    _each("persil", "Persil plat", "Flat-leaf parsley", BUNCH, "0.150", None, "111111111111",
          "0.85", Use.SEASONING, 2),
    _each("ciboulette", "Ciboulette", "Chives", BUNCH, "0.100", None, "001111111100", "0.70",
          Use.SEASONING, 1),
    _each("basilic", "Basilic", "Basil", BUNCH, "0.100", None, "000001111000", "0.90",
          Use.SEASONING, 1),
)

FEE_SHARE_OF_PRICE = Decimal("0.05")
"""The intermediation fee inside each price: the platform's 5 % service fee."""

MARGIN_SHARE_OF_PRICE = Decimal("0.17")
"""The growers' margin inside each price; the rest is the production cost."""


@dataclass(frozen=True, slots=True)
class PriceComponents:
    """How a price per unit breaks down; the three parts sum to the price exactly."""

    production_cost_eur: Decimal
    margin_eur: Decimal
    intermediation_fee_eur: Decimal

    @property
    def price_eur(self) -> Decimal:
        """Return the price per unit: cost + margin + intermediation fee."""
        return self.production_cost_eur + self.margin_eur + self.intermediation_fee_eur


def split_price(price_eur: Decimal) -> PriceComponents:
    """Split a price per unit into cost, margin and fee (cents), the cost taking the rest."""
    cent = Decimal("0.01")
    fee_eur = (price_eur * FEE_SHARE_OF_PRICE).quantize(cent)
    margin_eur = (price_eur * MARGIN_SHARE_OF_PRICE).quantize(cent)
    return PriceComponents(price_eur - fee_eur - margin_eur, margin_eur, fee_eur)


@dataclass(frozen=True, slots=True)
class Person:
    """A fictional person with a demo account."""

    first_name: str
    last_name: str
    email_local: str
    phone: str

    @property
    def display_name(self) -> str:
        """Return « Prénom Nom »."""
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        """Return the demo e-mail address (on the reserved demo domain)."""
        return f"{self.email_local}@{EMAIL_DOMAIN}"


@dataclass(frozen=True, slots=True)
class FarmSpec:
    """A demo farm, its grower and the crops it grows."""

    key: str
    name: str
    commune: str
    address: str
    siret: str
    organic_body: str
    organic_number: str
    organic_since: date  # the organic certificate covers the demo's seasons from this day
    target_share: Decimal
    grower: Person
    crops: tuple[str, ...]  # product slugs


_EVERYDAY = ("carotte", "pomme-de-terre", "poireau", "oignon", "laitue", "courgette", "tomate")

FARMS: tuple[FarmSpec, ...] = (
    FarmSpec(
        key="jardins-de-la-pique",
        name="Les Jardins de la Pique",
        commune="Cier-de-Luchon",
        address="Chemin de la Pique, 31110 Cier-de-Luchon",
        siret="81470312000018",
        organic_body="Ecocert France (FR-BIO-01)",
        organic_number="FR-BIO-01-31-2014-0412",
        organic_since=date(2014, 3, 1),
        target_share=Decimal("0.22"),
        grower=Person("Mathieu", "Carrère", "mathieu.carrere", "05 61 79 00 11"),
        crops=(
            *_EVERYDAY, "betterave", "panais", "celeri-rave", "courge-butternut", "potimarron",
            "poivron", "aubergine", "haricot-vert", "epinard", "blette", "chou-fleur",
            "chou-vert", "brocoli", "feuille-de-chene", "persil",
        ),
    ),
    FarmSpec(
        key="ferme-des-quatre-saisons",
        name="Ferme des Quatre Saisons",
        commune="Saint-Mamet",
        address="Route de l'Hospice, 31110 Saint-Mamet",
        siret="82015633900013",
        organic_body="Certipaq Bio (FR-BIO-09)",
        organic_number="FR-BIO-09-31-2017-0873",
        organic_since=date(2017, 3, 1),
        target_share=Decimal("0.20"),
        grower=Person("Élodie", "Fourcade", "elodie.fourcade", "05 61 79 00 22"),
        crops=(
            *_EVERYDAY, "betterave", "navet", "courge-musquee", "potimarron", "concombre",
            "haricot-vert", "feve", "scarole", "mache", "chou-rouge", "chou-de-bruxelles",
            "radis", "carotte-botte", "ciboulette",
        ),
    ),
    FarmSpec(
        key="potager-de-juzet",
        name="Le Potager de Juzet",
        commune="Juzet-de-Luchon",
        address="Quartier du Moulin, 31110 Juzet-de-Luchon",
        siret="88347210200010",
        organic_body="Ecocert France (FR-BIO-01)",
        organic_number="FR-BIO-01-31-2020-1157",
        organic_since=date(2020, 3, 1),
        target_share=Decimal("0.13"),
        grower=Person("Jean-Baptiste", "Sabatier", "jb.sabatier", "05 61 79 00 33"),
        crops=(
            "laitue", "feuille-de-chene", "scarole", "mache", "mesclun", "epinard", "blette",
            "radis", "oignon-botte", "persil", "ciboulette", "basilic", "tomate", "concombre",
            "fenouil",
        ),
    ),
    FarmSpec(
        key="gaec-de-la-garonne",
        name="GAEC de la Garonne",
        commune="Cierp-Gaud",
        address="Lieu-dit Las Planes, 31440 Cierp-Gaud",
        siret="44128906300014",
        organic_body="Qualisud (FR-BIO-16)",
        organic_number="FR-BIO-16-31-2011-0208",
        organic_since=date(2011, 3, 1),
        target_share=Decimal("0.18"),
        grower=Person("Sylvie", "Dedieu", "sylvie.dedieu", "05 61 94 00 44"),
        crops=(
            "carotte", "pomme-de-terre", "oignon", "echalote", "ail", "betterave", "panais",
            "navet", "radis-noir", "topinambour", "courge-butternut", "potimarron",
            "courge-musquee", "poireau", "chou-vert", "chou-rouge",
        ),
    ),
    FarmSpec(
        key="terrasses-de-barbazan",
        name="Les Terrasses de Barbazan",
        commune="Barbazan",
        address="Chemin des Thermes, 31510 Barbazan",
        siret="79265318000010",
        organic_body="Ecocert France (FR-BIO-01)",
        organic_number="FR-BIO-01-31-2016-0659",
        organic_since=date(2016, 3, 1),
        target_share=Decimal("0.15"),
        grower=Person("Nicolas", "Pujol", "nicolas.pujol", "05 61 88 00 55"),
        crops=(
            *_EVERYDAY, "aubergine", "poivron", "haricot-vert", "fenouil", "celeri-rave",
            "chou-fleur", "brocoli", "chou-de-bruxelles", "courge-butternut", "carotte-botte",
            "basilic",
        ),
    ),
    FarmSpec(
        key="ferme-de-valentine",
        name="Ferme de Valentine",
        commune="Valentine",
        address="Route de Miramont, 31800 Valentine",
        siret="85093127000019",
        organic_body="Certis (FR-BIO-13)",
        organic_number="FR-BIO-13-31-2019-0321",
        organic_since=date(2019, 3, 1),
        target_share=Decimal("0.12"),
        grower=Person("Aurélie", "Castéran", "aurelie.casteran", "05 61 89 00 66"),
        crops=(
            "carotte", "pomme-de-terre", "oignon", "ail", "courgette", "tomate", "poivron",
            "aubergine", "courge-butternut", "potimarron", "poireau", "epinard", "navet",
            "topinambour", "persil",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class CanteenSpec:
    """A demo canteen, its manager and how it orders."""

    key: str
    name: str
    kind: CanteenKind
    commune: str
    address: str
    siret: str
    meals_per_day: int
    serving_weekdays: int  # days a week the kitchen serves meals
    delivery_weekdays: str  # ISO weekdays, "1,4"
    cooked_portion_kg: float  # hot vegetable per meal (GEM-RCN order of magnitude)
    local_share: float  # share of its vegetables bought through the platform
    closed_in_school_holidays: bool
    manager: Person
    delivery_note: str
    closed_weeks: tuple[int, ...] = ()  # ISO week numbers it does not order, besides holidays
    standing: tuple[StandingLine, ...] = ()  # its usual order, copied into each week


@dataclass(frozen=True, slots=True)
class StandingLine:
    """A line of a canteen's standing order: a product every week on a delivery weekday."""

    product_slug: str
    weekday: int  # ISO, 1 = Monday
    quantity: Decimal  # in the product's unit


CANTEENS: tuple[CanteenSpec, ...] = (
    CanteenSpec(
        key="cite-scolaire",
        name="Cité scolaire de Luchon",
        kind=CanteenKind.SECONDARY_SCHOOL,
        commune="Bagnères-de-Luchon",
        address="Avenue de Toulouse, 31110 Bagnères-de-Luchon",
        siret="19310016100010",
        meals_per_day=450,
        serving_weekdays=5,
        delivery_weekdays="1,4",
        cooked_portion_kg=0.170,
        local_share=0.45,
        closed_in_school_holidays=True,
        manager=Person("Laurent", "Abadie", "cuisine.cite-scolaire", "05 61 79 10 01"),
        delivery_note="Quai de livraison côté gymnase, de 6 h 30 à 9 h.",
    ),
    CanteenSpec(
        key="ehpad-luchon",
        name="EHPAD du Val de Luchon",
        kind=CanteenKind.NURSING_HOME,
        commune="Bagnères-de-Luchon",
        address="Allées des Bains, 31110 Bagnères-de-Luchon",
        siret="26310287300019",
        meals_per_day=150,  # 75 residents, lunch and dinner
        serving_weekdays=7,
        delivery_weekdays="1,4",
        cooked_portion_kg=0.160,
        local_share=0.50,
        closed_in_school_holidays=False,
        manager=Person("Martine", "Soulé", "cuisine.ehpad", "05 61 79 10 02"),
        delivery_note="Sonner à l'entrée des cuisines, avant 10 h.",
        # Soup every evening: potatoes, leeks and carrots come every week.
        standing=(
            StandingLine("pomme-de-terre", 1, Decimal("10")),
            StandingLine("pomme-de-terre", 4, Decimal("10")),
            StandingLine("poireau", 4, Decimal("5")),
            StandingLine("carotte", 4, Decimal("5")),
        ),
    ),
    CanteenSpec(
        key="ecole-saint-mamet",
        name="École de Saint-Mamet",
        kind=CanteenKind.SCHOOL,
        commune="Saint-Mamet",
        address="Place de la Mairie, 31110 Saint-Mamet",
        siret="21310482100011",
        meals_per_day=65,
        serving_weekdays=4,
        delivery_weekdays="1,4",
        cooked_portion_kg=0.135,
        local_share=0.55,
        closed_in_school_holidays=True,
        manager=Person("Corinne", "Barrau", "cantine.saint-mamet", "05 61 79 10 03"),
        delivery_note="Livraison par la cour, avant 9 h.",
    ),
    CanteenSpec(
        key="ecole-montauban",
        name="École de Montauban-de-Luchon",
        kind=CanteenKind.SCHOOL,
        commune="Montauban-de-Luchon",
        address="Rue de l'Église, 31110 Montauban-de-Luchon",
        siret="21310369000011",
        meals_per_day=42,
        serving_weekdays=4,
        delivery_weekdays="4",
        cooked_portion_kg=0.130,
        local_share=0.60,
        closed_in_school_holidays=True,
        manager=Person("Sandrine", "Ribes", "cantine.montauban", "05 61 79 10 04"),
        delivery_note="Clé à la mairie si personne à la cantine.",
    ),
    CanteenSpec(
        key="ecole-cierp-gaud",
        name="École de Cierp-Gaud",
        kind=CanteenKind.SCHOOL,
        commune="Cierp-Gaud",
        address="Avenue de la Gare, 31440 Cierp-Gaud",
        siret="21310140500016",
        meals_per_day=95,
        serving_weekdays=4,
        delivery_weekdays="1,4",
        cooked_portion_kg=0.140,
        local_share=0.50,
        closed_in_school_holidays=True,
        manager=Person("Philippe", "Cazes", "cantine.cierp-gaud", "05 61 79 10 05"),
        delivery_note="",
    ),
    CanteenSpec(
        key="ecole-montrejeau",
        name="École Jean-Jaurès de Montréjeau",
        kind=CanteenKind.SCHOOL,
        commune="Montréjeau",
        address="Boulevard de Lassus, 31210 Montréjeau",
        siret="21310383100011",
        meals_per_day=120,
        serving_weekdays=4,
        delivery_weekdays="1",
        cooked_portion_kg=0.140,
        local_share=0.40,
        closed_in_school_holidays=True,
        manager=Person("Nadia", "Ferrer", "cantine.montrejeau", "05 62 00 10 06"),
        delivery_note="Livraison le lundi avant 8 h 30.",
    ),
    CanteenSpec(
        key="creche-les-isards",
        name="Crèche intercommunale Les Isards",
        kind=CanteenKind.CRECHE,
        commune="Moustajon",
        address="Chemin des Écoliers, 31110 Moustajon",
        siret="21310042300028",
        meals_per_day=28,
        serving_weekdays=5,
        delivery_weekdays="1,4",
        cooked_portion_kg=0.110,
        local_share=0.70,
        closed_in_school_holidays=False,
        manager=Person("Julie", "Marrast", "creche.les-isards", "05 61 79 10 07"),
        delivery_note="",
        closed_weeks=(52, 53, 1, 32, 33, 34),  # Christmas and three weeks in August
    ),
)

RAW_PORTION_KG = 0.080
"""Raw starter per meal (GEM-RCN order of magnitude), served at about every other meal."""

RAW_MEAL_SHARE = 0.5
"""Share of meals with a raw vegetable starter."""

LEAD = Person("Claire", "Dupont-Lacaze", "coordination", "05 61 79 20 00")
"""The project lead of the platform."""

CANTEEN_GROUP_NAME = "Groupement Cité scolaire – EHPAD de Luchon"
"""The two Luchon kitchens that tendered together."""


@dataclass(frozen=True, slots=True)
class ContractLineSpec:
    """A product of the tender lot and its committed yearly minimum (in the product's unit)."""

    product_slug: str
    committed_min_per_year: Decimal


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """The three-year tender lot of the demo."""

    title: str
    tender_reference: str
    lot_label: str
    years: int
    price_discount: Decimal  # the tender price is the season price minus this share
    delivery_frequency: str
    notes: str
    lines: tuple[ContractLineSpec, ...]


CONTRACT = ContractSpec(
    title="Lot 22 – légumes bio",
    tender_reference="CSL-EHPAD-2026-AO-03",
    lot_label="Lot 22",
    years=3,
    price_discount=Decimal("0.04"),
    delivery_frequency="Lundi et jeudi",
    notes=(
        "Marché à procédure adaptée passé par le groupement Cité scolaire – EHPAD, "
        "légumes frais issus de l'agriculture biologique, prix fermes sur trois ans."
    ),
    lines=(
        ContractLineSpec("carotte", Decimal("1200")),
        ContractLineSpec("pomme-de-terre", Decimal("1500")),
        ContractLineSpec("poireau", Decimal("500")),
        ContractLineSpec("courge-butternut", Decimal("350")),
        ContractLineSpec("betterave", Decimal("300")),
        ContractLineSpec("oignon", Decimal("300")),
        ContractLineSpec("courgette", Decimal("350")),
        ContractLineSpec("tomate", Decimal("200")),
        ContractLineSpec("chou-fleur", Decimal("250")),
        ContractLineSpec("laitue", Decimal("1200")),
    ),
)

CONTRACT_BUYERS = ("cite-scolaire", "ehpad-luchon")
"""Keys of the canteens in the contract's buying group."""

@dataclass(frozen=True, slots=True)
class AdvanceSpec:
    """A cash advance granted to a farm at the start of the season."""

    farm_key: str
    amount_eur: Decimal
    recovery_rate: Decimal  # share of each sale withheld until it is repaid
    note: str


ADVANCE = AdvanceSpec(
    farm_key="potager-de-juzet",
    amount_eur=Decimal("1200.00"),
    recovery_rate=Decimal("0.1000"),
    note="Avance sur la serre-tunnel de 400 m², remboursée par une retenue de 10 % des ventes.",
)


@dataclass(frozen=True, slots=True)
class FundMovementSpec:
    """A movement of the development fund entered by the lead, some weeks into the season."""

    weeks_after_start: int
    amount_eur: Decimal  # + a contribution, − a spending
    label: str
    note: str


FUND_MOVEMENTS = (
    FundMovementSpec(
        0,
        Decimal("2000.00"),
        "Aide du projet alimentaire territorial du Comminges",
        "Soutien au démarrage de la plateforme, versé en début de saison.",
    ),
    FundMovementSpec(
        5,
        Decimal("-380.00"),
        "Achat de 120 caisses réutilisables",
        "Caisses empilables 30 × 40 cm pour les livraisons aux cantines.",
    ),
)


CROP_FAILURE_NOTES = (
    "Grêle sur les planches de plein champ.",
    "Attaque de mildiou, récolte compromise.",
    "Limaces après les pluies, une partie de la planche perdue.",
    "Gel nocturne sur les cultures non protégées.",
    "Panne de la chambre froide, lot déclassé.",
)
"""What growers write when they declare a loss."""


def school_holiday(iso_week_number: int) -> bool:
    """Tell whether an ISO week is (roughly) a school holiday week in académie de Toulouse."""
    # Toussaint, Christmas, winter, spring and summer holidays, as ISO week numbers.
    return iso_week_number in {43, 44, 52, 53, 1, 7, 8, 15, 16} or 28 <= iso_week_number <= 35
