"""Load the demo territory and its season into the database, once."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from pial.clock import iso_week_label, now, today_in_paris
from pial.db import get_session
from pial.demo.coming import coming_year, prepare_coming_season
from pial.demo.history import PAST_SEASONS, load_past_seasons
from pial.demo.season import SeasonReport, open_week_monday, simulate_season
from pial.demo.setup import create_territory, season_start, season_year_of
from pial.demo.territory import (
    CANTEENS,
    CONTRACT,
    DEMO_PASSWORD,
    FARMS,
    LEAD,
    PLATFORM,
    PRODUCTS,
    RANDOM_SEED,
)
from pial.invoices.services import issue_month_invoices, month_end
from pial.models import PLATFORM_ID, Farm, Platform, Product, Role, User


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo sign-in: role, e-mail, password, and whom it stands for."""

    role: Role
    email: str
    password: str
    display_name: str
    organisation: str


def demo_accounts() -> list[DemoAccount]:
    """Return every demo account: the lead, one grower per farm, one manager per canteen."""
    accounts = [
        DemoAccount(
            Role.LEAD, LEAD.email, DEMO_PASSWORD, LEAD.display_name, "Responsable du projet"
        )
    ]
    accounts += [
        DemoAccount(
            Role.GROWER, farm.grower.email, DEMO_PASSWORD, farm.grower.display_name, farm.name
        )
        for farm in FARMS
    ]
    accounts += [
        DemoAccount(
            Role.CANTEEN,
            canteen.manager.email,
            DEMO_PASSWORD,
            canteen.manager.display_name,
            canteen.name,
        )
        for canteen in CANTEENS
    ]
    return accounts


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What ``seed_demo`` did (or why it did nothing)."""

    loaded: bool
    reason: str = ""
    farms: int = 0
    canteens: int = 0
    products: int = 0
    accounts: int = 0
    seasons: tuple[str, ...] = ()
    season: SeasonReport = field(default_factory=SeasonReport)
    elapsed_s: float = 0.0

    def describe(self) -> str:
        """Return a French summary, several lines, for the command line."""
        if not self.loaded:
            return f"Démonstration non chargée : {self.reason}"
        report = self.season
        lines = [
            f"Territoire de démonstration « {PLATFORM.territory_name} » chargé "
            f"en {self.elapsed_s:.1f} s.",
            f"  {self.farms} fermes, {self.canteens} cantines, {self.products} produits, "
            f"{self.accounts} comptes ; saison(s) {', '.join(self.seasons)} ; "
            f"marché « {CONTRACT.title} » (3 ans).",
        ]
        if report.first_week and report.first_week != report.open_week:
            lines.append(
                f"  Semaines passées depuis {report.first_week} : "
                f"{len(report.delivered_weeks)} livrée(s), "
                f"{len(report.published_weeks)} publiée(s) en cours de livraison, "
                f"{len(report.other_weeks)} en attente ; {report.runs} répartition(s), "
                f"{report.crop_failures} perte(s) de récolte re-planifiée(s), "
                f"{report.receipts} réception(s) saisie(s) ; frais de service "
                f"{report.fee_eur} €, fonds de développement {report.fund_eur} €."
            )
        lines.append(
            f"  Semaine ouverte : {report.open_week}, offres et commandes saisies ; pour la "
            f"répartir dès maintenant (elle sera close d'abord) : pial allocate {report.open_week}"
        )
        lines.append(f"  Mot de passe de tous les comptes : {DEMO_PASSWORD}")
        return "\n".join(lines)


def _existing_data() -> str | None:
    """Return a French description of what the database already holds, or None if empty."""
    session = get_session()
    farms = session.scalar(select(func.count()).select_from(Farm)) or 0
    users = session.scalar(select(func.count()).select_from(User)) or 0
    if not farms and not users:
        return None
    return f"la base contient déjà {farms} ferme(s) et {users} compte(s)"


def _clashes() -> list[str]:
    """Return the demo rows that already exist and would clash with a forced load."""
    session = get_session()
    clashes = []
    if session.get(Platform, PLATFORM_ID) is not None:
        clashes.append("les réglages de la plateforme")
    emails = [account.email.lower() for account in demo_accounts()]
    if session.scalar(select(func.count()).select_from(User).where(User.email_lower.in_(emails))):
        clashes.append("des comptes de démonstration")
    slugs = [product.slug for product in PRODUCTS]
    if session.scalar(select(func.count()).select_from(Product).where(Product.slug.in_(slugs))):
        clashes.append("des produits du catalogue de démonstration")
    return clashes


def _issue_ended_months(first_day: dt.date) -> str:
    """Issue the invoices of every month of the season that has ended; describe them."""
    month, issued = first_day.replace(day=1), 0
    while month_end(month) < today_in_paris():
        issued += len(issue_month_invoices(month).issued)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return f"{issued} facture(s) émise(s) pour les mois terminés."


def seed_demo(
    force: bool = False,
    *,
    weeks_back: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Load the demo territory and play its season up to the open week; skip a non-empty base.

    ``weeks_back`` limits the past weeks played (default: from the start of the season);
    ``force`` loads next to existing data, unless the demo's own rows are already there.
    ``progress`` receives one French line per step. Services commit as they go, so a failure
    half-way leaves the weeks already played in the database.
    """
    started = time.perf_counter()
    report = progress or (lambda _message: None)
    existing = _existing_data()
    if existing and not force:
        return DemoSummary(
            loaded=False, reason=f"{existing} (relancez avec --force pour charger malgré tout)."
        )
    clashes = _clashes()
    if clashes:
        return DemoSummary(
            loaded=False,
            reason=f"la base contient déjà {', '.join(clashes)} ; utilisez une base vide.",
        )
    if weeks_back is not None and weeks_back < 0:
        raise ValueError("weeks_back must be zero or positive")

    open_monday = open_week_monday(now())
    first_monday = season_start(season_year_of(today_in_paris()))
    if weeks_back is not None:
        first_monday = open_monday - dt.timedelta(weeks=weeks_back)
    first_monday = min(first_monday, open_monday)
    session = get_session()
    territory = create_territory(session, first_monday, open_monday + dt.timedelta(days=6))
    history_lines = load_past_seasons(session, territory, first_monday)
    prepare_coming_season(session, territory, coming_year(first_monday))
    session.commit()
    report(
        f"Territoire créé : {len(FARMS)} fermes, {len(CANTEENS)} cantines, "
        f"{len(PRODUCTS)} produits ; {PAST_SEASONS} saisons d'historique importées "
        f"({history_lines} lignes), un appel d'offres à étudier."
    )
    report(f"Saison jouée de {iso_week_label(first_monday)} à {iso_week_label(open_monday)}.")
    season = simulate_season(
        territory, first_monday, open_monday, rng=random.Random(RANDOM_SEED), progress=report
    )
    report(_issue_ended_months(first_monday))
    return DemoSummary(
        loaded=True,
        farms=len(territory.farms),
        canteens=len(territory.canteens),
        products=len(territory.products),
        accounts=1 + len(territory.growers) + len(territory.managers),
        seasons=tuple(season_row.code for season_row in territory.seasons),
        season=season,
        elapsed_s=time.perf_counter() - started,
    )
