"""What each person needs to deliver or receive a published week: pick lists, delivery notes,
receipts, and marking the week delivered.

Pick lists and delivery notes are views of a :class:`~pial.published.plan.PublishedPlan`: the
pages read the week's plan once, and publication hands its plan to every e-mail
(:func:`pick_list_of`, :func:`delivery_notes_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from sqlalchemy import select

from pial.actors import Actor
from pial.allocation import seam
from pial.allocation.coordination import require_coordinator
from pial.allocation.runs import Change, published_run
from pial.audit import record_audit
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleRecord
from pial.i18n import collation_key, format_day
from pial.models import (
    AllocationLine,
    AllocationRun,
    Canteen,
    CertificationLabel,
    Delivery,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    LedgerKind,
    Platform,
    Product,
    QualityRating,
    Receipt,
    Role,
    WeekState,
    find_platform,
)
from pial.published.plan import PlanLine, PublishedPlan, published_plan
from pial.rounding import line_value_eur
from pial.weeks.calendar import get_week
from pial.weeks.parsing import parse_quantity
from pial.weeks.states import change_state, require_state

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PickItem:
    """A quantity of one product to harvest or hand over, in units and in crates."""

    product: Product
    quantity: Decimal

    @property
    def crates(self) -> Decimal | None:
        """Return the number of crates (lots), or None when the product has no lot size."""
        if not self.product.lot_size:
            return None
        return (self.quantity / self.product.lot_size).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class Stop:
    """One canteen of a farm's round: its place, the leg to reach it, what to unload there."""

    position: int
    canteen: Canteen
    leg_km: float
    items: list[PickItem]
    changed: bool


@dataclass(frozen=True, slots=True)
class PickDay:
    """A delivery day of a farm: what to harvest and the round, in order."""

    day: dt.date
    harvest: list[PickItem]
    stops: list[Stop]

    @property
    def round_km(self) -> float:
        """Return the straight-line length of the round (farm to last stop)."""
        return sum(stop.leg_km for stop in self.stops)


@dataclass(frozen=True, slots=True)
class PickList:
    """A farm's deliveries in the published planning of a week."""

    farm: Farm
    week: DeliveryWeek
    run: AllocationRun | None
    days: list[PickDay]
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NoteLine:
    """One line of a delivery note: a farm's product, its price and value, its receipt."""

    line: PlanLine
    receipt: Receipt | None
    change: Change | None

    @property
    def price_eur(self) -> Decimal:
        """Return the line's unit price."""
        return self.line.unit_price_eur

    @property
    def charged_value_eur(self) -> Decimal:
        """Return what the canteen is charged: received (else planned) quantity × unit price."""
        if self.receipt is None:
            return self.line.value_eur
        return line_value_eur(self.receipt.received_quantity, self.line.unit_price_eur)


@dataclass(frozen=True, slots=True)
class NoteFarm:
    """What one farm brings to the canteen on the day."""

    farm: Farm
    position: int | None  # the canteen's place in this farm's round
    lines: list[NoteLine]

    @property
    def total_eur(self) -> Decimal:
        """Return the value of what this farm brings."""
        return sum((note.line.value_eur for note in self.lines), Decimal(0))


@dataclass(frozen=True, slots=True)
class DeliveryNote:
    """A canteen's delivery note for one day of the published planning."""

    canteen: Canteen
    week: DeliveryWeek
    day: dt.date
    run: AllocationRun | None
    farms: list[NoteFarm]
    shortfalls: list[tuple[str, Decimal]]  # (product name, quantity not served)
    changes: list[Change]

    @property
    def total_eur(self) -> Decimal:
        """Return the value of the whole day's delivery."""
        return sum((farm.total_eur for farm in self.farms), Decimal(0))

    @property
    def charged_total_eur(self) -> Decimal:
        """Return what the day costs the canteen once receipts are recorded (net of shortfalls)."""
        return sum((item.charged_value_eur for farm in self.farms for item in farm.lines),
                   Decimal(0))


# --- The parties a delivery note names --------------------------------------------------------


def organic_certificate(farm: Farm, day: dt.date) -> str | None:
    """Return the farm's organic certificates valid on ``day`` (« Ecocert France n° … »)."""
    valid = [
        certificate for certificate in farm.certificates
        if certificate.label == CertificationLabel.BIO and certificate.covers(day)
    ]  # fmt: skip
    return ", ".join(f"{c.body} n° {c.number}" for c in valid) or None


def supplier() -> Platform | None:
    """Return the group as a seller (its legal name, SIRET, address), if set up."""
    return find_platform(get_session())


def supplier_certificate(platform: Platform | None) -> str | None:
    """Return the group's own organic certificate, if it has one."""
    if platform is None or not platform.organic_number:
        return None
    return f"{platform.organic_body or ''} n° {platform.organic_number}".strip()


# --- Access ------------------------------------------------------------------------------------


def require_farm_member(actor: Actor, farm_id: int) -> None:
    """Raise Forbidden unless ``actor`` is a grower of the farm, the lead, or the system."""
    if actor is None or actor.role == Role.LEAD:
        return
    if actor.role == Role.GROWER and actor.farm_id == farm_id:
        return
    raise Forbidden(gettext("Vous ne pouvez voir que les livraisons de votre ferme."))


def require_canteen_member(actor: Actor, canteen_id: int, *, lead_may_read: bool = True) -> None:
    """Raise Forbidden unless ``actor`` manages the canteen (or is the lead, when reading)."""
    if actor is None or (lead_may_read and actor.role == Role.LEAD):
        return
    if actor.role == Role.CANTEEN and actor.canteen_id == canteen_id:
        return
    raise Forbidden(
        gettext("Vous ne pouvez voir et confirmer que les livraisons de votre cantine.")
    )


# --- Pick lists and delivery notes -------------------------------------------------------------


def pick_list(farm_id: int, iso_week: str, *, actor: Actor = None) -> PickList:
    """Return a farm's harvest and rounds, per day, in the week's published planning."""
    require_farm_member(actor, farm_id)
    week = get_week(iso_week)
    farm = get_session().get(Farm, farm_id)
    if farm is None:
        raise NotFound(gettext("Cette ferme n'existe pas."))
    plan = published_plan(week)
    if plan is None:
        return PickList(farm=farm, week=week, run=None, days=[])
    return pick_list_of(plan, farm)


def pick_list_of(plan: PublishedPlan, farm: Farm) -> PickList:
    """Return a farm's harvest and rounds, per day, in a published plan."""
    changes = [change for change in plan.changes if change.farm_id == farm.id]
    changed_stops = {(change.canteen_id, change.day) for change in changes}
    lines_by_stop: dict[tuple[dt.date, int], list[PlanLine]] = defaultdict(list)
    for line in plan.farm_lines(farm.id):
        lines_by_stop[(line.day, line.canteen_id)].append(line)
    days = []
    for day in sorted({day for day, _ in lines_by_stop}):
        stops = [
            Stop(
                position=position,
                canteen=canteen,
                leg_km=leg_km,
                items=_items(lines_by_stop[(day, canteen.id)]),
                changed=(canteen.id, day) in changed_stops,
            )
            for position, (canteen, leg_km) in enumerate(plan.rounds[(farm.id, day)], start=1)
        ]
        harvest = _items([ln for (d, _), lines in lines_by_stop.items() if d == day
                          for ln in lines])
        days.append(PickDay(day=day, harvest=harvest, stops=stops))
    return PickList(farm=farm, week=plan.week, run=plan.run, days=days, changes=changes)


def _items(lines: Iterable[PlanLine]) -> list[PickItem]:
    """Sum lines per product, by product name."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    products: dict[int, Product] = {}
    for line in lines:
        totals[line.product_id] += line.quantity
        products[line.product_id] = line.product
    return sorted(
        (PickItem(products[pid], quantity) for pid, quantity in totals.items()),
        key=lambda item: item.product.name_fr,
    )


def delivery_notes(canteen_id: int, iso_week: str, *, actor: Actor = None) -> list[DeliveryNote]:
    """Return a canteen's delivery notes, one per day it receives something, of the week."""
    require_canteen_member(actor, canteen_id)
    plan = published_plan(get_week(iso_week))
    return delivery_notes_of(plan, canteen_id) if plan is not None else []


def delivery_note(
    canteen_id: int, iso_week: str, day: dt.date, *, actor: Actor = None
) -> DeliveryNote:
    """Return who brings what to a canteen on a day, with prices, totals and receipts."""
    require_canteen_member(actor, canteen_id)
    week = get_week(iso_week)
    canteen = get_session().get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    plan = published_plan(week)
    if plan is None:
        return DeliveryNote(canteen, week, day, None, [], [], [])
    return _note(plan, canteen, day, _receipts(plan.canteen_lines(canteen.id, day)))


def delivery_notes_of(plan: PublishedPlan, canteen_id: int) -> list[DeliveryNote]:
    """Return a canteen's delivery notes in a published plan, one per day it receives things."""
    lines = plan.canteen_lines(canteen_id)
    if not lines:
        return []
    receipts = _receipts(lines)
    canteen = lines[0].canteen
    return [_note(plan, canteen, day, receipts) for day in plan.canteen_days(canteen_id)]


def _receipts(lines: Iterable[PlanLine]) -> dict[int, Receipt]:
    """Return the receipts recorded on the lines, by allocation line id."""
    return {
        receipt.allocation_line_id: receipt
        for receipt in get_session().scalars(
            select(Receipt).where(Receipt.allocation_line_id.in_([ln.id for ln in lines]))
        )
    }


def _note(
    plan: PublishedPlan, canteen: Canteen, day: dt.date, receipts: dict[int, Receipt]
) -> DeliveryNote:
    """Return the delivery note of a canteen on a day of a plan."""
    changes = [c for c in plan.changes if c.canteen_id == canteen.id and c.day == day]
    change_of = {(c.farm_id, c.product_id): c for c in changes}
    positions = {
        farm_id: position
        for (farm_id, round_day), tour in plan.rounds.items()
        if round_day == day
        for position, (stop, _) in enumerate(tour, start=1)
        if stop.id == canteen.id
    }
    by_farm: dict[int, list[NoteLine]] = defaultdict(list)
    lines = plan.canteen_lines(canteen.id, day)
    for line in sorted(lines, key=lambda ln: collation_key(ln.product.name_fr)):
        by_farm[line.farm_id].append(
            NoteLine(line, receipts.get(line.id), change_of.get((line.farm_id, line.product_id)))
        )
    farms = sorted(
        (NoteFarm(lines[0].line.farm, positions.get(farm_id), lines)
         for farm_id, lines in by_farm.items()),
        key=lambda note_farm: note_farm.farm.name,
    )
    shortfalls = sorted(
        (short.product_name, short.quantity)
        for short in plan.shortfalls
        if short.canteen_id == canteen.id and short.day == day
    )
    return DeliveryNote(canteen, plan.week, day, plan.run, farms, shortfalls, changes)


# --- Receipts ----------------------------------------------------------------------------------


def _canteen_line(canteen_id: int, allocation_line_id: int) -> AllocationLine:
    line = get_session().get(AllocationLine, allocation_line_id)
    if line is None:
        raise NotFound(gettext("Cette ligne de livraison n'existe pas."))
    if line.canteen_id != canteen_id:
        raise Forbidden(gettext("Cette livraison n'est pas destinée à votre cantine."))
    return line


def receipt_version(receipt: Receipt | None) -> str:
    """Return the version a receipt write must be based on: "0" while nothing is recorded."""
    return "0" if receipt is None else str(receipt.version_id)


def receipt_state(line: AllocationLine, receipt: Receipt | None) -> dict[str, object]:
    """Return a line's receipt as the API shows it (the planned quantity until recorded)."""
    quantity = line.quantity if receipt is None else receipt.received_quantity
    text = format(quantity.normalize(), "f")
    return {
        "allocation_line_id": line.id,
        "recorded": receipt is not None,
        "planned_quantity": format(line.quantity.normalize(), "f"),
        "received_quantity": text if text != "-0" else "0",
        "quality": "ok" if receipt is None else receipt.quality_rating.value,
        "note": None if receipt is None else receipt.quality_note,
        "received_dt": None if receipt is None else receipt.received_dt,
        "version": receipt_version(receipt),
    }


def line_receipt(
    actor: Actor, canteen_id: int, allocation_line_id: int
) -> tuple[AllocationLine, Receipt | None]:
    """Return a canteen's delivery line and its receipt, if recorded (lead: any canteen)."""
    require_canteen_member(actor, canteen_id)
    line = _canteen_line(canteen_id, allocation_line_id)
    receipt = get_session().scalar(
        select(Receipt).where(Receipt.allocation_line_id == line.id)
    )
    return line, receipt


def confirm_receipt(
    actor: Actor,
    canteen_id: int,
    allocation_line_id: int,
    received_quantity: Decimal | str | int,
    quality: str = QualityRating.OK.value,
    note: str | None = None,
    shortfall_reason: str | None = None,
    *,
    commit: bool = True,
    expected_version: str | None = None,
) -> Receipt:
    """Record what a canteen received on a line; a difference corrects the farm's ledger.

    Less than planned is recorded as a shortfall (the quantity received and why), whatever the
    quality of what came. A delivery day still to come cannot be received. With
    ``expected_version`` (``receipt_version`` as read; "0" for none yet) a receipt changed
    since is refused with StaleRecord.
    """
    require_canteen_member(actor, canteen_id, lead_may_read=False)
    session = get_session()
    line = _canteen_line(canteen_id, allocation_line_id)
    if line.day > today_in_paris():
        raise InvalidInput(
            gettext(
                "Réception : la livraison du %(day)s n'a pas encore eu lieu ; confirmez-la le "
                "jour même ou après.",
                day=format_day(line.day),
            ),
            {"received_quantity": [gettext("Cette livraison n'a pas encore eu lieu.")]},
        )
    week = line.run.week
    require_state(
        week,
        WeekState.PUBLISHED,
        WeekState.DELIVERED,
        action=gettext("les réceptions se saisissent une fois le planning publié"),
    )
    current = published_run(week)
    if current is None or current.id != line.run_id:
        raise Conflict(
            gettext(
                "Cette ligne ne fait plus partie du planning publié (il a été re-planifié) : "
                "rechargez la page."
            )
        )
    quantity = parse_quantity(received_quantity, field=gettext("quantité reçue"))
    try:
        rating = QualityRating(quality)
    except ValueError:
        raise InvalidInput(
            gettext("Qualité : choisissez « conforme », « remarque » ou « refusé »."),
            {"quality": [gettext("Choisissez une des valeurs proposées.")]},
        ) from None
    receipt = session.scalar(select(Receipt).where(Receipt.allocation_line_id == line.id))
    if expected_version is not None and expected_version != receipt_version(receipt):
        raise StaleRecord(
            gettext(
                "Cette réception a été modifiée entre-temps (version %(version)s) : relisez-la "
                "avant de l'enregistrer.",
                version=receipt_version(receipt),
            ),
            current_version=receipt_version(receipt),
            current=receipt_state(line, receipt),
        )
    counted_before = line.quantity if receipt is None else receipt.received_quantity
    before = None
    if receipt is None:
        receipt = Receipt(allocation_line_id=line.id, received_dt=now())
        session.add(receipt)
    else:
        before = {"received_quantity": str(receipt.received_quantity),
                  "quality": receipt.quality_rating.value}
    receipt.received_quantity = quantity
    receipt.quality_rating = rating
    receipt.quality_note = (note or "").strip() or None
    receipt.shortfall_reason = (
        (shortfall_reason or "").strip() or None if quantity < line.quantity else None
    )
    receipt.received_by_id = actor.id if actor is not None else None
    receipt.updated_dt = now()
    correction_eur = _value_eur(line, quantity) - _value_eur(line, counted_before)
    if correction_eur != 0:
        _add_receipt_correction(line, quantity, correction_eur, actor, receipt.shortfall_reason)
    session.flush()
    record_audit(actor, "deliveries.confirm_receipt", receipt, before=before,
                 after={"allocation_line_id": line.id, "received_quantity": str(quantity),
                        "quality": rating.value, "correction_eur": str(correction_eur),
                        "shortfall_reason": receipt.shortfall_reason})
    if commit:
        session.commit()
    return receipt


def confirm_delivery_in_full(
    actor: Actor, canteen_id: int, iso_week: str, day: dt.date, farm_id: int
) -> int:
    """Record every line a farm brought the canteen on ``day`` as received in full, conforme.

    Lines already recorded keep what was recorded. Returns how many lines were confirmed.
    """
    require_canteen_member(actor, canteen_id, lead_may_read=False)
    session = get_session()
    week = get_week(iso_week)
    current = published_run(week)
    if current is None:
        raise Conflict(gettext("Cette semaine n'a pas de planning publié."))
    lines = [
        line for line in current.lines
        if line.canteen_id == canteen_id and line.farm_id == farm_id and line.day == day
    ]
    if not lines:
        raise NotFound(gettext("Aucune livraison de cette ferme à votre cantine ce jour-là."))
    recorded = set(
        session.scalars(
            select(Receipt.allocation_line_id).where(
                Receipt.allocation_line_id.in_([line.id for line in lines])
            )
        )
    )
    count = 0
    try:
        for line in lines:
            if line.id not in recorded:
                confirm_receipt(actor, canteen_id, line.id, line.quantity,
                                QualityRating.OK.value, commit=False)
                count += 1
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return count


def _value_eur(line: AllocationLine, quantity: Decimal) -> Decimal:
    """Return the value of ``quantity`` of a line at the line's own price (planned → its value)."""
    if quantity == line.quantity:
        return line.value_eur
    return (line.value_eur * quantity / line.quantity).quantize(CENT, ROUND_HALF_UP)


def _add_receipt_correction(
    line: AllocationLine,
    received: Decimal,
    correction_eur: Decimal,
    actor: Actor,
    reason: str | None = None,
) -> None:
    """Move the farm's ledger by the value received beyond (or short of) what was counted."""
    session = get_session()
    balance_eur = seam.ledger_balances_eur(session).get(line.farm_id, Decimal(0))
    session.add(
        LedgerEntry(
            farm_id=line.farm_id,
            week_id=line.run.week_id,
            kind=LedgerKind.RECEIPT_CORRECTION,
            amount_eur=correction_eur,
            balance_after_eur=balance_eur + correction_eur,
            run_id=line.run_id,
            note=(  # stored in the ledger, read by everyone: French
                f"Réception {line.canteen.name}, {line.product.name_fr} du "
                f"{line.day.isoformat()} : {received} reçus pour {line.quantity} prévus"
                + (f" ({reason})" if reason else "")
            ),
            created_by_id=actor.id if actor is not None else None,
            created_dt=now(),
        )
    )


def mark_week_delivered(iso_week: str, actor: Actor = None) -> DeliveryWeek:
    """Close a published week as delivered: every trip is stamped, the week becomes « livrée »."""
    session = get_session()
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    require_state(
        week,
        WeekState.PUBLISHED,
        action=gettext("seule une semaine au planning publié peut être marquée livrée"),
    )
    moment = now()
    for trip in session.scalars(
        select(Delivery).where(Delivery.week_id == week.id, Delivery.delivered_dt.is_(None))
    ):
        trip.delivered_dt = moment
    change_state(week, WeekState.DELIVERED, actor)
    session.commit()
    return week
