"""Play the demo season week after week through the real services, on a simulated clock.

Each past week follows the platform's calendar: the lead opens it on the Monday of the week
before, growers offer and canteens order by Wednesday, the lead closes it after Thursday's
deadlines, the week's coordinator allocates and publishes on Friday, a grower sometimes
declares a crop failure before the Monday delivery (a re-plan is published), canteens record
what they received on each delivery day and the coordinator marks the week delivered.

Every step has its wall-clock moment; ``PIAL_CLOCK`` is set to it while the service runs, so
deadlines, timestamps and the rotation see the time the step would really have happened. A
step whose moment is still to come is not played: the week stops there, as it would today.
The first week whose availability deadline is still ahead is the *open week*: it is opened
and filled with offers and orders, ready for ``pial allocate``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from pial.allocation.runs import published_run
from pial.allocation.services import allocate_week, declare_crop_failure, publish_week
from pial.clock import iso_week_label, now
from pial.deliveries.services import confirm_receipt, mark_week_delivered
from pial.demo.menus import WeekDrafts, draft_week
from pial.demo.setup import Territory
from pial.demo.territory import (
    ADVANCE,
    CANTEENS,
    CROP_FAILURE_NOTES,
    FARMS,
    FUND_MOVEMENTS,
    PLATFORM,
)
from pial.models import AllocationLine, QualityRating, User
from pial.money.accrual import accrue_week
from pial.money.funds import record_fund_movement, save_advance
from pial.rotation.services import generate_rotation
from pial.weeks.calendar import (
    CalendarSettings,
    calendar_settings,
    coordinator_of,
    deadline_for,
    get_week,
)
from pial.weeks.closures import closure_reason
from pial.weeks.offers import AvailabilityInput, save_availability
from pial.weeks.opening import close_week, open_week
from pial.weeks.orders import OrderInput, save_orders
from pial.weeks.standing_orders import StandingOrderInput, save_standing_orders

PARIS = ZoneInfo(PLATFORM.timezone)

ROTATION_WEEKS_AHEAD = 8
"""How many weeks after the open week the rotation is drawn up for."""

CROP_FAILURE_EVERY_WEEKS = 4
"""One past week in this many sees a crop failure declared after publication."""

Progress = Callable[[str], None]


@dataclass(slots=True)
class SeasonReport:
    """What the simulation played: weeks by fate, runs, crop failures, receipts."""

    first_week: str | None = None
    open_week: str | None = None
    delivered_weeks: list[str] = field(default_factory=list)
    published_weeks: list[str] = field(default_factory=list)  # published, deliveries under way
    other_weeks: list[str] = field(default_factory=list)  # stopped before publication
    runs: int = 0
    crop_failures: int = 0
    receipts: int = 0
    order_lines: int = 0
    offer_lines: int = 0
    fee_eur: Decimal = Decimal(0)  # service fees accrued on the delivered weeks
    fund_eur: Decimal = Decimal(0)  # development fund contributions accrued


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return the aware UTC instant of ``day`` at ``hour:minute`` on the platform's clock."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS).astimezone(dt.UTC)


@contextmanager
def simulated_clock(moment: dt.datetime) -> Iterator[None]:
    """Make the app's clock read ``moment`` inside the block, then restore it."""
    config = current_app.config
    missing = object()
    previous = config.get("PIAL_CLOCK", missing)
    config["PIAL_CLOCK"] = lambda: moment
    try:
        yield
    finally:
        if previous is missing:
            config.pop("PIAL_CLOCK", None)
        else:
            config["PIAL_CLOCK"] = previous


def demo_calendar() -> CalendarSettings:
    """Return the demo platform's weekly calendar (before or after its row is written)."""
    spec = PLATFORM
    return CalendarSettings(
        timezone=spec.timezone,
        delivery_weekdays=tuple(int(day) for day in spec.delivery_weekdays.split(",")),
        deadline_weeks_before=spec.deadline_weeks_before,
        availability_deadline_weekday=spec.availability_deadline_weekday,
        availability_deadline_time=spec.availability_deadline_time,
        order_deadline_weekday=spec.order_deadline_weekday,
        order_deadline_time=spec.order_deadline_time,
        publish_fallback_weekday=spec.publish_fallback_weekday,
        publish_fallback_time=spec.publish_fallback_time,
    )


def open_week_monday(moment: dt.datetime) -> dt.date:
    """Return the Monday of the first week whose availability deadline is after ``moment``."""
    settings = demo_calendar()
    monday = moment.astimezone(PARIS).date()
    monday -= dt.timedelta(days=monday.weekday())
    while True:
        deadline = deadline_for(
            monday,
            settings.availability_deadline_weekday,
            settings.availability_deadline_time,
            settings,
        )
        if deadline > moment:
            return monday
        monday += dt.timedelta(weeks=1)


def simulate_season(
    territory: Territory,
    first_monday: dt.date,
    open_monday: dt.date,
    *,
    rng: random.Random,
    progress: Progress,
) -> SeasonReport:
    """Play every week from ``first_monday`` to the open week (``open_monday``) included."""
    report = SeasonReport()
    real_now = now()
    report.first_week = iso_week_label(first_monday)
    report.open_week = iso_week_label(open_monday)
    delivery_weekdays = calendar_settings().delivery_weekdays
    with simulated_clock(min(real_now, at(first_monday - dt.timedelta(weeks=1), 7))):
        generate_rotation(
            report.first_week,
            iso_week_label(open_monday + dt.timedelta(weeks=ROTATION_WEEKS_AHEAD)),
            territory.lead,
        )
    _grant_advance(territory, first_monday, real_now)
    _enter_standing_orders(territory, first_monday, real_now)
    monday = first_monday
    index = 0
    while monday <= open_monday:
        label = iso_week_label(monday)
        _record_fund_movements(territory, index, monday, real_now)
        drafts = draft_week(monday, delivery_weekdays, rng)
        if monday == open_monday:
            _fill_open_week(territory, label, drafts, report)
            progress(f"Semaine {label} : ouverte, offres et commandes saisies.")
        else:
            fate = _play_past_week(territory, label, monday, drafts, rng, report, real_now,
                                   with_failure=index % CROP_FAILURE_EVERY_WEEKS == 2)
            progress(f"Semaine {label} : {fate}.")
        monday += dt.timedelta(weeks=1)
        index += 1
    return report


def _fill_open_week(
    territory: Territory, label: str, drafts: WeekDrafts, report: SeasonReport
) -> None:
    """Open the week now and enter its offers and orders, as growers and canteens would."""
    open_week(label, territory.lead)
    _enter_offers_and_orders(territory, label, drafts, report)


def _play_past_week(
    territory: Territory,
    label: str,
    monday: dt.date,
    drafts: WeekDrafts,
    rng: random.Random,
    report: SeasonReport,
    real_now: dt.datetime,
    *,
    with_failure: bool,
) -> str:
    """Play a past week as far as ``real_now`` allows; return its fate, in French."""
    week_before = monday - dt.timedelta(weeks=1)
    days = [monday + dt.timedelta(days=weekday - 1)
            for weekday in calendar_settings().delivery_weekdays]

    def due(moment: dt.datetime) -> bool:
        return moment <= real_now

    with simulated_clock(at(week_before, 8)):
        open_week(label, territory.lead)
    with simulated_clock(at(week_before + dt.timedelta(days=2), 10)):
        _enter_offers_and_orders(territory, label, drafts, report)
    close_moment = at(week_before + dt.timedelta(days=3), 18, 5)
    if not due(close_moment):
        report.other_weeks.append(label)
        return "ouverte, offres et commandes saisies"
    with simulated_clock(close_moment):
        close_week(label, territory.lead)
    plan_moment = at(week_before + dt.timedelta(days=4), 8, 30)
    if not due(plan_moment):
        report.other_weeks.append(label)
        return "close, en attente de la répartition"
    coordinator = _coordinator(territory, label)
    with simulated_clock(plan_moment):
        run = allocate_week(label, coordinator)
        report.runs += 1
    with simulated_clock(plan_moment + dt.timedelta(minutes=20)):
        publish_week(label, coordinator, run.id)
    fate = "planning publié"
    failure_moment = at(days[0] - dt.timedelta(days=1), 18)
    if with_failure and due(failure_moment):
        with simulated_clock(failure_moment):
            if _declare_failure(territory, label, rng):
                report.runs += 1
                report.crop_failures += 1
                fate += ", perte de récolte re-planifiée"
    for day in days:
        receipt_moment = at(day, 11)
        if due(receipt_moment):
            with simulated_clock(receipt_moment):
                report.receipts += _record_receipts(territory, label, day, rng)
    delivered_moment = at(days[-1], 17)
    if due(delivered_moment):
        with simulated_clock(delivered_moment):
            mark_week_delivered(label, coordinator)
        with simulated_clock(delivered_moment + dt.timedelta(hours=1)):
            # The fee, the fund contribution and the advance's share of each sale.
            accrual = accrue_week(label, territory.lead)
        report.fee_eur += accrual.fee_eur
        report.fund_eur += accrual.fund_eur
        report.delivered_weeks.append(label)
        return fate + ", livrée"
    report.published_weeks.append(label)
    return fate + ", livraisons en cours"


def _grant_advance(territory: Territory, first_monday: dt.date, real_now: dt.datetime) -> None:
    """Have the lead grant the season's cash advance, on the first Monday played."""
    moment = min(real_now, at(first_monday - dt.timedelta(weeks=1), 9))
    season = next(s for s in territory.seasons if s.start_date <= first_monday <= s.end_date)
    with simulated_clock(moment):
        save_advance(
            territory.lead,
            None,
            {
                "farm_id": territory.farms[ADVANCE.farm_key].id,
                "season_id": season.id,
                "amount_eur": ADVANCE.amount_eur,
                "granted_date": moment.astimezone(PARIS).date(),
                "recovery_rate": ADVANCE.recovery_rate,
                "note": ADVANCE.note,
            },
            None,
        )


def _enter_standing_orders(
    territory: Territory, first_monday: dt.date, real_now: dt.datetime
) -> None:
    """Have each canteen with a usual order save it, before the first week is opened."""
    moment = min(real_now, at(first_monday - dt.timedelta(weeks=1), 7, 30))
    with simulated_clock(moment):
        for canteen in CANTEENS:
            if not canteen.standing:
                continue
            save_standing_orders(
                territory.managers[canteen.key],
                territory.canteens[canteen.key].id,
                [
                    StandingOrderInput(
                        territory.products[line.product_slug].id, line.quantity, line.weekday
                    )
                    for line in canteen.standing
                ],
            )


def _record_fund_movements(
    territory: Territory, index: int, monday: dt.date, real_now: dt.datetime
) -> None:
    """Have the lead enter the fund movements due in the ``index``-th week played."""
    for movement in FUND_MOVEMENTS:
        moment = at(monday - dt.timedelta(weeks=1), 9, 30)
        if movement.weeks_after_start != index or moment > real_now:
            continue
        with simulated_clock(moment):
            record_fund_movement(
                territory.lead,
                moment.astimezone(PARIS).date(),
                movement.amount_eur,
                movement.label,
                movement.note,
            )


def _coordinator(territory: Territory, label: str) -> User:
    """Return a grower of the week's coordinating farm (the lead when nobody is assigned)."""
    farm = coordinator_of(label)
    if farm is None:
        return territory.lead
    key = next(key for key, row in territory.farms.items() if row.id == farm.id)
    return territory.growers[key]


def _enter_offers_and_orders(
    territory: Territory, label: str, drafts: WeekDrafts, report: SeasonReport
) -> None:
    """Save each farm's offer (as its grower) and each canteen's order (as its manager)."""
    products = territory.products
    for farm in FARMS:
        offer = drafts.offers.get(farm.key, ())
        if not offer:
            continue
        save_availability(
            territory.growers[farm.key],
            territory.farms[farm.key].id,
            label,
            [AvailabilityInput(products[line.product_slug].id, line.quantity) for line in offer],
        )
        report.offer_lines += len(offer)
    for key, drafted in drafts.orders.items():
        canteen = territory.canteens[key]
        # Kitchens order nothing for the days they are closed (holidays, public holidays).
        lines = [line for line in drafted if closure_reason(canteen, line.day) is None]
        save_orders(
            territory.managers[key],
            canteen.id,
            label,
            [OrderInput(products[line.product_slug].id, line.quantity, line.day) for line in lines],
        )
        report.order_lines += len(lines)


def _declare_failure(territory: Territory, label: str, rng: random.Random) -> bool:
    """Have a grower declare losing part of a product of the published plan; tell if done."""
    run = published_run(get_week(label))
    if run is None:
        return False
    planned: dict[tuple[int, int], Decimal] = {}
    for line in run.lines:
        key = (line.farm_id, line.product_id)
        planned[key] = planned.get(key, Decimal(0)) + line.quantity
    # A loss worth re-planning: a product the farm sends at least two crates of.
    candidates = sorted(
        (farm_id, product_id)
        for (farm_id, product_id), quantity in planned.items()
        if quantity >= 2 * _lot(territory, product_id)
    )
    if not candidates:
        return False
    farm_id, product_id = rng.choice(candidates)
    lot = _lot(territory, product_id)
    lots_lost = max(1, int(planned[(farm_id, product_id)] / lot * Decimal(rng.uniform(0.3, 0.6))))
    grower = next(territory.growers[key] for key, farm in territory.farms.items()
                  if farm.id == farm_id)
    declare_crop_failure(
        grower, farm_id, label, product_id, lot * lots_lost, rng.choice(CROP_FAILURE_NOTES)
    )
    return True


def _lot(territory: Territory, product_id: int) -> Decimal:
    """Return the crate size of a product (1 unit when it is sold singly)."""
    product = next(p for p in territory.products.values() if p.id == product_id)
    return product.lot_size or Decimal(1)


def _record_receipts(
    territory: Territory, label: str, day: dt.date, rng: random.Random
) -> int:
    """Have each canteen record what it received on ``day``; return the receipts made."""
    run = published_run(get_week(label))
    if run is None:
        return 0
    lines = sorted(
        (line for line in run.lines if line.day == day), key=lambda line: line.id
    )
    managers = {canteen.id: territory.managers[key] for key, canteen in territory.canteens.items()}
    for line in lines:
        quantity, quality, note = _received(line, rng)
        confirm_receipt(managers[line.canteen_id], line.canteen_id, line.id, quantity,
                        quality.value, note)
    return len(lines)


def _received(
    line: AllocationLine, rng: random.Random
) -> tuple[Decimal, QualityRating, str | None]:
    """Return what a canteen counts on a line: mostly what was planned, sometimes a little less."""
    draw = rng.random()
    if draw < 0.85:
        return line.quantity, QualityRating.OK, None
    if draw < 0.95:
        short = line.quantity * Decimal(str(rng.uniform(0.9, 0.98)))
        step = Decimal("0.1") if line.product.unit_kg == 1 else Decimal("1")
        received = (short / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
        received = min(received, line.quantity - step) if line.quantity > step else line.quantity
        return received, QualityRating.OK, "Pesée à réception un peu inférieure au bon."
    return line.quantity, QualityRating.MINOR, "Quelques pièces abîmées, acceptées."
