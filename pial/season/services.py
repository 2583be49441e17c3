"""Season services: the forecast, the season plan, growers' crops and proposals, advances.

Every function checks its actor (the lead, a grower for its own farm, or ``None`` for the
system) and owns its transaction. The models run through ``pial.season.seam``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.models import (
    CashAdvance,
    CropDeclaration,
    Farm,
    FarmWeekOff,
    PlanProposal,
    PlanStatus,
    Product,
    ProposalState,
    Role,
    Season,
    SeasonPlan,
    SeasonPlanCover,
    SeasonPlanLine,
)
from pial.money.funds import fund_balance_eur, list_advances, save_advance
from pial.rounding import to_cent
from pial.season import seam
from pial.season.seam import (
    BacktestReport,
    PlanProblem,
    PlanSettings,
    backtest_forecast,
    propose_advances,
    solve_plan,
)

MIN_SCENARIOS = 50
MAX_SCENARIOS = 5000
MAX_ADVANCE_SHARE = Decimal("0.5")
QUANTITY_STEP = Decimal("0.001")


# --- Access --------------------------------------------------------------------------------------


def require_lead(actor: Actor) -> None:
    """Raise Forbidden unless ``actor`` is the lead (or the system)."""
    if actor is not None and actor.role != Role.LEAD:
        raise Forbidden(_("Seule la personne responsable du projet peut faire cela."))


def farm_for(actor: Actor, farm_id: int) -> Farm:
    """Return a farm the actor may plan for: its own (a grower), any (the lead, the system)."""
    farm = get_session().get(Farm, farm_id)
    if farm is None:
        raise NotFound(_("Cette ferme n'existe pas."))
    if actor is not None and actor.role != Role.LEAD and not (
        actor.role == Role.GROWER and actor.farm_id == farm_id
    ):
        raise Forbidden(_("Vous ne pouvez voir et proposer que le plan de votre ferme."))
    return farm


def coming_season_year() -> int:
    """Return the year the next season to plan starts (the one after today's)."""
    return seam.season_year_of(today_in_paris()) + 1


def check_year(year: int) -> int:
    """Return ``year`` if a season may start then, else refuse it."""
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("Saison : indiquez l'année où elle commence, entre 2000 et 2100."),
                           {"year": [_("Entre 2000 et 2100.")]})
    return year


# --- Forecast ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductForecast:
    """A product's forecast for the season, summed over canteens."""

    product: Product
    season_total: Decimal
    season_value_eur: Decimal
    peak_week: Decimal  # the largest expected week
    by_month: tuple[Decimal, ...]  # in the season's month order
    q90_weeks: Decimal  # sum over weeks of each canteen's 90 % quantile (a generous bound)


@dataclass(frozen=True, slots=True)
class SeasonForecast:
    """The forecast of a season, the history it rests on and its backtest."""

    window: seam.SeasonWindow
    months: tuple[int, ...]  # month numbers in the season's order
    products: list[ProductForecast]
    canteen_totals_eur: list[tuple[str, Decimal]]
    history_weeks: int
    history_first: dt.date | None
    closed_canteen_weeks: int
    backtest: BacktestReport | None
    backtest_season: str | None


def _season_months(window: seam.SeasonWindow) -> tuple[int, ...]:
    months: list[int] = []
    for week in window.weeks:
        month = (week + dt.timedelta(days=3)).month
        if month not in months:
            months.append(month)
    return tuple(months)


def backtest_last_season(models: seam.SeasonModels) -> tuple[BacktestReport | None, str | None]:
    """Backtest the latest complete season of the history, forecast from the ones before it."""
    history = models.data.history
    if not history.weeks:
        return None, None
    session = get_session()
    known = set(history.weeks)
    year = models.window.year - 1
    while year >= history.weeks[0].year - 1:
        window = seam.season_window(session, year)
        complete = window.weeks[-1] <= history.weeks[-1] and window.weeks[0] >= history.weeks[0]
        trained = any(week < window.weeks[0] for week in history.weeks)
        if complete and trained:
            holdout = [week for week in window.weeks if week in known]
            return backtest_forecast(history, holdout), window.code
        year -= 1
    return None, None


def forecast_season(year: int, *, with_backtest: bool = True) -> SeasonForecast:
    """Forecast the season starting ``year`` and backtest the model on the last full season."""
    check_year(year)
    models = seam.season_models(get_session(), year)
    forecast = models.forecast
    months = _season_months(models.window)
    week_month = np.array([months.index((w + dt.timedelta(days=3)).month)
                           for w in models.window.weeks])
    q90 = forecast.quantile(0.9).sum(axis=(0, 2))
    per_product = forecast.mean.sum(axis=0)  # products × weeks
    rows = []
    for j, slug in enumerate(forecast.products):
        total = float(per_product[j].sum())
        if total <= 0:
            continue
        product = models.data.products[slug]
        by_month = np.zeros(len(months))
        np.add.at(by_month, week_month, per_product[j])
        price = models.data.prices_eur.get(slug, Decimal(0))
        rows.append(ProductForecast(
            product=product,
            season_total=_quantity(total),
            season_value_eur=to_cent(_quantity(total) * price),
            peak_week=_quantity(float(per_product[j].max())),
            by_month=tuple(_quantity(float(value)) for value in by_month),
            q90_weeks=_quantity(float(q90[j])),
        ))
    rows.sort(key=lambda row: row.season_value_eur, reverse=True)
    prices = np.array([float(models.data.prices_eur.get(slug, 0)) for slug in forecast.products])
    canteen_values = (forecast.mean.sum(axis=2) * prices[None, :]).sum(axis=1)
    canteens = sorted(
        ((models.data.canteens[key].name, to_cent(Decimal(repr(float(value)))))
         for key, value in zip(forecast.canteens, canteen_values, strict=True)),
        key=lambda item: item[1], reverse=True)
    backtest, backtest_season = (backtest_last_season(models) if with_backtest
                                 else (None, None))
    history = models.data.history
    return SeasonForecast(
        window=models.window, months=months, products=rows, canteen_totals_eur=canteens,
        history_weeks=len(history.weeks), history_first=history.weeks[0] if history.weeks
        else None, closed_canteen_weeks=len(models.closures), backtest=backtest,
        backtest_season=backtest_season,
    )


def _quantity(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(QUANTITY_STEP)


# --- The season plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanChoices:
    """What the lead chooses before solving: service level, max share, advances, scenarios."""

    service_level: Decimal = Decimal("0.95")
    max_share: Decimal = Decimal("0.60")
    advance_share: Decimal = Decimal("0.20")
    scenarios: int = 500
    seed: int = 1


def _check_choices(choices: PlanChoices) -> None:
    errors: dict[str, list[str]] = {}
    if not Decimal("0.5") <= choices.service_level <= Decimal("0.99"):
        errors["service_level"] = [_("Entre 50 % et 99 %.")]
    if not Decimal("0.2") <= choices.max_share <= Decimal(1):
        errors["max_share"] = [_("Entre 20 % et 100 %.")]
    if not Decimal(0) <= choices.advance_share <= MAX_ADVANCE_SHARE:
        errors["advance_share"] = [_("Entre 0 et 50 %.")]
    if not MIN_SCENARIOS <= choices.scenarios <= MAX_SCENARIOS:
        errors["scenarios"] = [_("Entre %(low)s et %(high)s.", low=MIN_SCENARIOS,
                                 high=MAX_SCENARIOS)]
    if errors:
        raise InvalidInput(
            _("Plan non calculé : ") + " ".join(m for ms in errors.values() for m in ms), errors)


def plan_problem(models: seam.SeasonModels, choices: PlanChoices) -> PlanProblem:
    """Build the plan's problem from the fitted models and what the farms declared."""
    session = get_session()
    slugs = {product.id: slug for slug, product in models.data.products.items()}
    mean, variance = models.forecast.aggregate()
    return PlanProblem(
        weeks=models.window.weeks,
        products=models.data.history.products,
        growers=models.data.history.growers,
        demand_mean=mean,
        demand_variance=variance,
        supply=models.supply,
        capacities=tuple(seam.crop_capacities(session, models.window.year, slugs)),
        weeks_off=seam.weeks_off(session, models.window),
        distance_km=seam.distances_km(session, models),
        locks=tuple(seam.accepted_locks(session, models.window, slugs)),
        settings=PlanSettings(
            service_level=float(choices.service_level), max_share=float(choices.max_share),
            scenarios=choices.scenarios, seed=choices.seed),
    )


def solve_season_plan(actor: Actor, year: int, choices: PlanChoices | None = None) -> SeasonPlan:
    """Solve the plan of the season starting ``year`` (accepted proposals locked) and keep it."""
    require_lead(actor)
    check_year(year)
    choices = choices or PlanChoices()
    _check_choices(choices)
    session = get_session()
    models = seam.season_models(session, year)
    result = solve_plan(plan_problem(models, choices))
    products = models.data.products
    sequence = (session.scalar(select(func.max(SeasonPlan.sequence))
                               .where(SeasonPlan.season_year == year)) or 0) + 1
    demand_eur = sum((Decimal(repr(cover.demand_mean)) * models.data.prices_eur[cover.product]
                      for cover in result.covers), Decimal(0))
    planned_eur = sum((Decimal(repr(value)) for value in result.planned_value_eur.values()),
                      Decimal(0))
    plan = SeasonPlan(
        season_year=year, sequence=sequence, status=PlanStatus(result.status),
        service_level=choices.service_level, max_share=choices.max_share,
        advance_share=choices.advance_share, scenarios=result.scenarios,
        met_share=result.met_share, demand_eur=to_cent(demand_eur),
        planned_eur=to_cent(planned_eur), solve_s=result.solve_s, rounds=result.rounds,
        message=result.message or None, created_by_id=actor.id if actor else None,
        created_dt=now(),
    )
    plan.lines = [
        SeasonPlanLine(farm_id=seam.farm_id_of(volume.grower),
                       product_id=products[volume.product].id, monday_date=volume.week,
                       quantity=Decimal(repr(volume.quantity)).quantize(QUANTITY_STEP))
        for volume in result.volumes
        if Decimal(repr(volume.quantity)).quantize(QUANTITY_STEP) > 0
    ]
    plan.covers = [
        SeasonPlanCover(product_id=products[cover.product].id, monday_date=cover.week,
                        demand_mean=_quantity(cover.demand_mean),
                        planned=_quantity(cover.planned), met_share=cover.met_share,
                        gap=_quantity(cover.gap))
        for cover in result.covers
    ]
    session.add(plan)
    session.flush()
    record_audit(actor, "season_plan.solve", plan, after={
        "season_year": year, "sequence": sequence, "status": result.status,
        "met_share": round(result.met_share, 4), "lines": len(plan.lines)})
    session.commit()
    return plan


def get_plan(plan_id: int) -> SeasonPlan:
    """Return a plan or raise NotFound."""
    plan = get_session().get(SeasonPlan, plan_id)
    if plan is None:
        raise NotFound(_("Ce plan de saison n'existe pas."))
    return plan


def plans_of(year: int) -> list[SeasonPlan]:
    """Return the plans solved for a season, the latest first."""
    return list(get_session().scalars(
        select(SeasonPlan).where(SeasonPlan.season_year == year)
        .order_by(SeasonPlan.sequence.desc())))


def latest_plan(year: int, *, published: bool = False) -> SeasonPlan | None:
    """Return the season's latest plan (or latest published one)."""
    query = select(SeasonPlan).where(SeasonPlan.season_year == year)
    if published:
        query = query.where(SeasonPlan.published_dt.is_not(None))
    return get_session().scalar(query.order_by(SeasonPlan.sequence.desc()).limit(1))


def publish_plan(actor: Actor, plan_id: int) -> SeasonPlan:
    """Show a plan to the growers (« mon plan de culture »)."""
    require_lead(actor)
    plan = get_plan(plan_id)
    if plan.status == PlanStatus.INFEASIBLE:
        raise Conflict(_("Ce plan n'a pas de solution : il ne peut pas être publié."))
    if plan.published_dt is None:
        plan.published_dt = now()
        plan.published_by_id = actor.id if actor else None
        record_audit(actor, "season_plan.publish", plan, after={"sequence": plan.sequence})
        get_session().commit()
    return plan


@dataclass(frozen=True, slots=True)
class FarmShare:
    """A farm's planned value against its agreed share, and the advance the plan proposes."""

    farm: Farm
    planned_eur: Decimal
    target_eur: Decimal
    share: Decimal
    target_share: Decimal
    proposed_advance_eur: Decimal
    granted_eur: Decimal  # advances already granted for this season


@dataclass(frozen=True, slots=True)
class ProductCover:
    """A product over the season under a plan."""

    product: Product
    demand: Decimal
    planned: Decimal
    met_share: float  # demand-weighted over its weeks
    gap: Decimal
    growers: int


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan as the lead reviews it."""

    plan: SeasonPlan
    window: seam.SeasonWindow
    farms: list[FarmShare]
    products: list[ProductCover]
    fund_available_eur: Decimal
    pending: list[PlanProposal]


def _line_values(plan: SeasonPlan) -> dict[int, Decimal]:
    """Return each farm's planned value at the season's prices."""
    window = seam.season_window(get_session(), plan.season_year)
    prices = seam.season_prices_eur(get_session(), window.first_day)
    values: dict[int, Decimal] = defaultdict(Decimal)
    for line in plan.lines:
        values[line.farm_id] += line.quantity * prices.get(line.product_id, Decimal(0))
    return {farm_id: to_cent(value) for farm_id, value in values.items()}


def fund_available_eur() -> Decimal:
    """Return what the fund can still advance: its balance less the advances still owed."""
    owed = sum((row.remaining_eur for row in list_advances()
                if row.advance.closed_date is None), Decimal(0))
    return max(Decimal(0), fund_balance_eur() - owed)


def _granted_for(year: int) -> dict[int, Decimal]:
    """Return, per farm, the advances granted for the season starting ``year``."""
    season_id = _season_id(year)
    marker = _advance_note(year)
    granted: dict[int, Decimal] = defaultdict(Decimal)
    for advance in get_session().scalars(select(CashAdvance)):
        if (season_id is not None and advance.season_id == season_id) or (
                advance.note or "").startswith(marker):
            granted[advance.farm_id] += advance.amount_eur
    return granted


def plan_view(plan: SeasonPlan) -> PlanView:
    """Return the lead's view of a plan: farms' values and advances, products' cover."""
    session = get_session()
    window = seam.season_window(session, plan.season_year)
    values = _line_values(plan)
    farms = {farm.id: farm for farm in session.scalars(select(Farm).where(Farm.is_active))}
    total = sum(values.values(), Decimal(0))
    shares_total = sum((farm.target_share or Decimal(0) for farm in farms.values()), Decimal(0))
    available = fund_available_eur()
    proposals = {proposal.grower: proposal for proposal in propose_advances(
        {seam.grower_key(farm_id): float(value) for farm_id, value in values.items()},
        float(plan.advance_share), float(available))}
    granted = _granted_for(plan.season_year)
    rows = []
    for farm in sorted(farms.values(), key=lambda f: values.get(f.id, Decimal(0)), reverse=True):
        target_share = (farm.target_share or Decimal(0)) / shares_total if shares_total else \
            Decimal(0)
        proposal = proposals.get(seam.grower_key(farm.id))
        rows.append(FarmShare(
            farm=farm, planned_eur=values.get(farm.id, Decimal(0)),
            target_eur=to_cent(total * target_share), share=values.get(farm.id, Decimal(0)) / total
            if total else Decimal(0), target_share=target_share,
            proposed_advance_eur=Decimal(repr(proposal.proposed_eur)) if proposal else Decimal(0),
            granted_eur=granted.get(farm.id, Decimal(0)),
        ))
    products: dict[int, list[SeasonPlanCover]] = defaultdict(list)
    for cover in plan.covers:
        products[cover.product_id].append(cover)
    growers: dict[int, set[int]] = defaultdict(set)
    for line in plan.lines:
        growers[line.product_id].add(line.farm_id)
    product_rows = []
    for covers in products.values():
        demand = sum((cover.demand_mean for cover in covers), Decimal(0))
        met = (sum(cover.met_share * float(cover.demand_mean) for cover in covers) / float(demand)
               if demand else 1.0)
        product_rows.append(ProductCover(
            product=covers[0].product, demand=demand,
            planned=sum((cover.planned for cover in covers), Decimal(0)), met_share=met,
            gap=sum((cover.gap for cover in covers), Decimal(0)),
            growers=len(growers[covers[0].product_id])))
    product_rows.sort(key=lambda row: (row.met_share, row.product.name_fr))
    return PlanView(plan, window, rows, product_rows, available,
                    pending_proposals(plan.season_year))


# --- A grower's plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CropPlan:
    """A product in a farm's plan: its weekly volumes, grouped for reading on a phone."""

    product: Product
    season_total: Decimal
    value_eur: Decimal
    first_week: dt.date
    last_week: dt.date
    peak_week: Decimal
    by_month: tuple[Decimal, ...]
    weeks: tuple[tuple[dt.date, Decimal], ...]


@dataclass(frozen=True, slots=True)
class FarmPlan:
    """« Mon plan de culture »: a farm's published plan, its proposals and declarations."""

    farm: Farm
    window: seam.SeasonWindow
    plan: SeasonPlan | None
    months: tuple[int, ...]
    crops: list[CropPlan]
    value_eur: Decimal
    proposals: list[PlanProposal]
    declarations: list[CropDeclaration]
    weeks_off: list[FarmWeekOff]
    products: list[Product] = field(default_factory=list)  # what it may propose


def farm_plan(actor: Actor, farm_id: int, year: int, plan_id: int | None = None) -> FarmPlan:
    """Return a farm's plan for the season: the latest published one (any, for the lead)."""
    farm = farm_for(actor, farm_id)
    check_year(year)
    session = get_session()
    window = seam.season_window(session, year)
    if plan_id is not None:
        plan: SeasonPlan | None = get_plan(plan_id)
        if plan is not None and (plan.season_year != year or (
                plan.published_dt is None and actor is not None and actor.role != Role.LEAD)):
            raise NotFound(_("Ce plan de saison n'existe pas."))
    else:
        plan = latest_plan(year, published=actor is not None and actor.role != Role.LEAD)
    months = _season_months(window)
    prices = seam.season_prices_eur(session, window.first_day)
    crops = []
    total = Decimal(0)
    if plan is not None:
        lines = session.scalars(
            select(SeasonPlanLine).where(SeasonPlanLine.plan_id == plan.id,
                                         SeasonPlanLine.farm_id == farm_id)
            .options(selectinload(SeasonPlanLine.product))
            .order_by(SeasonPlanLine.product_id, SeasonPlanLine.monday_date))
        by_product: dict[int, list[SeasonPlanLine]] = defaultdict(list)
        for line in lines:
            by_product[line.product_id].append(line)
        for rows in by_product.values():
            product = rows[0].product
            by_month = [Decimal(0)] * len(months)
            for row in rows:
                by_month[months.index((row.monday_date + dt.timedelta(days=3)).month)] += \
                    row.quantity
            quantity = sum((row.quantity for row in rows), Decimal(0))
            value = to_cent(quantity * prices.get(product.id, Decimal(0)))
            total += value
            crops.append(CropPlan(
                product=product, season_total=quantity, value_eur=value,
                first_week=rows[0].monday_date, last_week=rows[-1].monday_date,
                peak_week=max(row.quantity for row in rows), by_month=tuple(by_month),
                weeks=tuple((row.monday_date, row.quantity) for row in rows)))
        crops.sort(key=lambda crop: crop.value_eur, reverse=True)
    proposals = list(session.scalars(
        select(PlanProposal).where(PlanProposal.farm_id == farm_id,
                                   PlanProposal.season_year == year)
        .order_by(PlanProposal.created_dt.desc(), PlanProposal.id.desc())))
    return FarmPlan(
        farm=farm, window=window, plan=plan, months=months, crops=crops, value_eur=total,
        proposals=proposals, declarations=crops_of(farm_id, year),
        weeks_off=list(session.scalars(select(FarmWeekOff).where(
            FarmWeekOff.farm_id == farm_id, FarmWeekOff.monday_date >= window.first_day,
            FarmWeekOff.monday_date <= window.last_day).order_by(FarmWeekOff.monday_date))),
        products=sorted_by_name(session.scalars(select(Product).where(Product.is_active)),
                                lambda product: product.name_fr),
    )


def _week_in(window: seam.SeasonWindow, day: dt.date, name: str) -> dt.date:
    """Return the Monday of ``day``'s week if it lies in the season, else refuse it."""
    monday = day - dt.timedelta(days=day.weekday())
    if monday not in window.weeks:
        raise InvalidInput(
            _("Semaines : choisissez des semaines de la saison %(code)s (du %(first)s au "
              "%(last)s).", code=window.code, first=format(window.first_day, "%d/%m/%Y"),
              last=format(window.last_day, "%d/%m/%Y")),
            {name: [_("Hors de la saison.")]})
    return monday


def propose_change(
    actor: Actor,
    farm_id: int,
    year: int,
    product_id: int,
    first_day: dt.date,
    last_day: dt.date,
    weekly_quantity: Decimal,
    note: str | None = None,
) -> PlanProposal:
    """Record a grower's proposed weekly volume of a product over some weeks of the season."""
    farm_for(actor, farm_id)
    check_year(year)
    session = get_session()
    window = seam.season_window(session, year)
    product = session.get(Product, product_id)
    if product is None:
        raise InvalidInput(_("Produit : ce produit n'existe pas."),
                           {"product_id": [_("Choisissez un produit du catalogue.")]})
    first = _week_in(window, first_day, "first_day")
    last = _week_in(window, last_day, "last_day")
    if last < first:
        raise InvalidInput(_("Semaines : la dernière semaine doit suivre la première."),
                           {"last_day": [_("Après la première semaine.")]})
    if weekly_quantity < 0 or weekly_quantity > Decimal(100_000):
        raise InvalidInput(_("Volume par semaine : entre 0 et 100 000."),
                           {"weekly_quantity": [_("Entre 0 et 100 000.")]})
    plan = latest_plan(year, published=True)
    proposal = PlanProposal(
        season_year=year, plan_id=plan.id if plan else None, farm_id=farm_id,
        product_id=product_id, first_monday=first, last_monday=last,
        weekly_quantity=weekly_quantity.quantize(QUANTITY_STEP),
        note=(note or "").strip()[:500] or None, state=ProposalState.PENDING,
        created_by_id=actor.id if actor else None,
    )
    session.add(proposal)
    session.flush()
    record_audit(actor, "season_proposal.create", proposal, after={
        "farm_id": farm_id, "product_id": product_id, "first": str(first), "last": str(last),
        "weekly_quantity": str(proposal.weekly_quantity)})
    session.commit()
    return proposal


def pending_proposals(year: int) -> list[PlanProposal]:
    """Return the season's proposals waiting for the lead's decision, oldest first."""
    return list(get_session().scalars(
        select(PlanProposal).where(PlanProposal.season_year == year,
                                   PlanProposal.state == ProposalState.PENDING)
        .order_by(PlanProposal.created_dt, PlanProposal.id)))


def decide_proposal(actor: Actor, proposal_id: int, accept: bool) -> PlanProposal:
    """Accept a proposal (its volumes are locked in the next solves) or decline it."""
    require_lead(actor)
    proposal = get_session().get(PlanProposal, proposal_id)
    if proposal is None:
        raise NotFound(_("Cette proposition n'existe pas (ou plus)."))
    if proposal.state != ProposalState.PENDING:
        raise Conflict(_("Cette proposition a déjà été traitée."))
    proposal.state = ProposalState.ACCEPTED if accept else ProposalState.DECLINED
    proposal.decided_by_id = actor.id if actor else None
    proposal.decided_dt = now()
    record_audit(actor, "season_proposal.decide", proposal, after={"state": proposal.state.value})
    get_session().commit()
    return proposal


# --- Crops declared, weeks off -------------------------------------------------------------------


def crops_of(farm_id: int, year: int) -> list[CropDeclaration]:
    """Return the crops a farm declared for a season, by product name."""
    return sorted_by_name(get_session().scalars(
        select(CropDeclaration).where(CropDeclaration.farm_id == farm_id,
                                      CropDeclaration.season_year == year)),
        lambda declaration: declaration.product.name_fr)


def save_crop(
    actor: Actor,
    farm_id: int,
    year: int,
    product_id: int,
    max_weekly: Decimal | None,
    area_m2: Decimal | None,
    yield_per_m2: Decimal | None,
    note: str | None = None,
) -> CropDeclaration:
    """Declare (or change) a crop of a farm for a season: weekly maximum, or area and yield."""
    farm_for(actor, farm_id)
    check_year(year)
    session = get_session()
    errors: dict[str, list[str]] = {}
    if session.get(Product, product_id) is None:
        errors["product_id"] = [_("Choisissez un produit du catalogue.")]
    if max_weekly is not None and max_weekly < 0:
        errors["max_weekly"] = [_("Valeur positive ou nulle.")]
    if (area_m2 is None) != (yield_per_m2 is None):
        errors["area_m2"] = [_("Indiquez la surface et le rendement, ou aucun des deux.")]
    for name, value in (("area_m2", area_m2), ("yield_per_m2", yield_per_m2)):
        if value is not None and value <= 0:
            errors.setdefault(name, []).append(_("Valeur strictement positive."))
    if errors:
        raise InvalidInput(
            _("Culture non enregistrée : ") + " ".join(m for ms in errors.values() for m in ms),
            errors)
    crop = session.scalar(select(CropDeclaration).where(
        CropDeclaration.farm_id == farm_id, CropDeclaration.product_id == product_id,
        CropDeclaration.season_year == year))
    values = {"max_weekly_quantity": max_weekly, "area_m2": area_m2,
              "yield_per_m2": yield_per_m2, "note": (note or "").strip()[:500] or None}
    if crop is None:
        crop = CropDeclaration(farm_id=farm_id, product_id=product_id, season_year=year,
                               updated_by_id=actor.id if actor else None, **values)
        session.add(crop)
        session.flush()
        record_audit(actor, "crop.declare", crop, after={
            "product_id": product_id, **{k: str(v) for k, v in values.items()}})
    else:
        before = {k: str(getattr(crop, k)) for k in values}
        for name, new in values.items():
            setattr(crop, name, new)
        crop.updated_by_id = actor.id if actor else None
        record_audit(actor, "crop.update", crop, before=before,
                     after={k: str(v) for k, v in values.items()})
    session.commit()
    return crop


def delete_crop(actor: Actor, crop_id: int) -> None:
    """Withdraw a declared crop."""
    session = get_session()
    crop = session.get(CropDeclaration, crop_id)
    if crop is None:
        raise NotFound(_("Cette culture n'existe pas (ou plus)."))
    farm_for(actor, crop.farm_id)
    record_audit(actor, "crop.delete", crop, before={"product_id": crop.product_id,
                                                     "season_year": crop.season_year})
    session.delete(crop)
    session.commit()


def save_weeks_off(actor: Actor, farm_id: int, year: int, week_numbers: Sequence[int]) -> int:
    """Replace the weeks a farm cannot deliver in a season (ISO week numbers); return them."""
    farm_for(actor, farm_id)
    check_year(year)
    session = get_session()
    window = seam.season_window(session, year)
    wanted = set(week_numbers)
    bad = sorted(n for n in wanted if not 1 <= n <= 53)
    if bad:
        raise InvalidInput(
            _("Semaines d'absence : %(bad)s n'est pas un numéro de semaine (1 à 53).",
              bad=", ".join(str(n) for n in bad)),
            {"weeks": [_("Des numéros de semaine, de 1 à 53.")]})
    mondays = {week for week in window.weeks if week.isocalendar()[1] in wanted}
    existing = list(session.scalars(select(FarmWeekOff).where(
        FarmWeekOff.farm_id == farm_id, FarmWeekOff.monday_date >= window.first_day,
        FarmWeekOff.monday_date <= window.last_day)))
    for row in existing:
        if row.monday_date not in mondays:
            session.delete(row)
    kept = {row.monday_date for row in existing}
    session.add_all(FarmWeekOff(farm_id=farm_id, monday_date=monday)
                    for monday in sorted(mondays - kept))
    session.flush()
    farm = session.get(Farm, farm_id)
    record_audit(actor, "farm.weeks_off", farm, after={
        "season": window.code, "weeks": sorted(m.isocalendar()[1] for m in mondays)})
    session.commit()
    return len(mondays)


# --- Cash advances -------------------------------------------------------------------------------


def _season_id(year: int) -> int | None:
    season = get_session().scalar(select(Season).where(
        Season.start_date >= dt.date(year, 1, 1), Season.start_date <= dt.date(year, 12, 31)))
    return season.id if season else None


def _advance_note(year: int) -> str:
    # Stored text, in French whatever the reader's language (like the write-off marker).
    return f"Avance de lancement de la saison {year}-{year + 1}"


def grant_advance(
    actor: Actor,
    plan_id: int,
    farm_id: int,
    amount_eur: Decimal,
    recovery_rate: Decimal | None,
) -> CashAdvance:
    """Grant the advance a plan proposes to a farm (or another amount), within the fund."""
    require_lead(actor)
    plan = get_plan(plan_id)
    farm_for(actor, farm_id)
    available = fund_available_eur()
    if amount_eur <= 0 or amount_eur > available:
        raise InvalidInput(
            _("Montant : entre 0,01 € et ce que le fonds peut avancer (%(available)s €).",
              available=available),
            {"amount_eur": [_("Au plus %(available)s €.", available=available)]})
    if actor is None:
        raise Forbidden(_("Seule la personne responsable du projet peut faire cela."))
    return save_advance(actor, None, {
        "farm_id": farm_id, "season_id": _season_id(plan.season_year),
        "amount_eur": to_cent(amount_eur), "granted_date": today_in_paris(),
        "recovery_rate": recovery_rate,
        "note": f"{_advance_note(plan.season_year)} (plan n°{plan.sequence}).",
    }, None)


# --- The plan, as numbers for exports ------------------------------------------------------------


def plan_lines(plan: SeasonPlan) -> list[SeasonPlanLine]:
    """Return a plan's lines with their farm and product, by farm, product and week."""
    return list(get_session().scalars(
        select(SeasonPlanLine).where(SeasonPlanLine.plan_id == plan.id)
        .options(selectinload(SeasonPlanLine.farm), selectinload(SeasonPlanLine.product))
        .order_by(SeasonPlanLine.farm_id, SeasonPlanLine.product_id,
                  SeasonPlanLine.monday_date)))


def describe_plan(plan: SeasonPlan) -> dict[str, Any]:
    """Return the plan's key figures (for the CLI and the API)."""
    return {
        "id": plan.id, "season_year": plan.season_year, "sequence": plan.sequence,
        "status": plan.status.value, "service_level": plan.service_level,
        "max_share": plan.max_share, "met_share": plan.met_share, "scenarios": plan.scenarios,
        "demand_eur": plan.demand_eur, "planned_eur": plan.planned_eur,
        "solve_s": plan.solve_s, "rounds": plan.rounds, "lines": len(plan.lines),
        "published": plan.published_dt is not None,
    }
