"""Tender lots: the lead enters (or imports) a lot, asks « can we commit? », wins it.

A lot's answer runs the solver's ``commit_lot`` through the seam and keeps, per product, the
volumes committable at 90, 95 and 99 % confidence, the one committed at the lot's chosen
level, its risk, and each member's share; its prices are the contract's: production cost +
margin + intermediation fee per unit, the same three parts a contract line holds. Once the lot
is won, ``create_contract`` turns the answer into the contract in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now
from pial.db import get_session
from pial.editing import apply_edit, create_record
from pial.errors import Conflict, InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.models import (
    Canteen,
    CanteenGroup,
    Contract,
    ContractLine,
    Farm,
    LotStatus,
    Product,
    TenderLot,
    TenderLotLine,
    TenderShare,
    parse_weekdays,
)
from pial.rounding import line_value_eur, to_cent
from pial.season import seam
from pial.season.seam import commit_lot
from pial.season.services import require_lead

DRAWS = 10_000
"""Seasons simulated for an answer (the issue's minimum; about a second on the demo)."""

CONFIDENCES = (Decimal("0.90"), Decimal("0.95"), Decimal("0.99"))
QUANTITY_STEP = Decimal("0.001")

LOT_LABELS = {
    "title": _l("Intitulé"),
    "tender_reference": _l("Référence de la consultation"),
    "lot_label": _l("Lot"),
    "canteen_id": _l("Cantine"),
    "canteen_group_id": _l("Groupement"),
    "delivery_sites": _l("Sites de livraison"),
    "delivery_weekdays": _l("Jours de livraison"),
    "years": _l("Durée (années)"),
    "start_date": _l("Début"),
    "confidence": _l("Confiance de l'engagement"),
    "lead_farm_id": _l("Mandataire"),
    "notes": _l("Notes"),
}
LINE_LABELS = {
    "product_id": _l("Produit"),
    "yearly_estimate": _l("Estimation annuelle"),
    "production_cost_eur": _l("Coût de production"),
    "margin_eur": _l("Marge"),
    "intermediation_fee_eur": _l("Frais d'intermédiation"),
}


def catalogue() -> list[Product]:
    """Return the active products, by name (the template's catalogue)."""
    return sorted_by_name(get_session().scalars(select(Product).where(Product.is_active)),
                          lambda product: product.name_fr)


def list_lots() -> list[TenderLot]:
    """Return every lot, the latest first."""
    return list(get_session().scalars(
        select(TenderLot).order_by(TenderLot.start_date.desc(), TenderLot.id.desc())))


def get_lot(lot_id: int) -> TenderLot:
    """Return a lot with its lines and shares, or raise NotFound."""
    lot = get_session().scalar(
        select(TenderLot).where(TenderLot.id == lot_id).options(
            selectinload(TenderLot.lines).selectinload(TenderLotLine.shares)))
    if lot is None:
        raise NotFound(_("Ce lot n'existe pas (ou plus)."))
    return lot


def buyer_name(lot: TenderLot) -> str:
    """Return the name of the lot's buyer."""
    if lot.canteen is not None:
        return lot.canteen.name
    return lot.canteen_group.name if lot.canteen_group is not None else "—"


def _check_lot(values: Mapping[str, Any]) -> None:
    session = get_session()
    errors: dict[str, list[str]] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Indiquez l'intitulé du lot.")]
    canteen_id, group_id = values.get("canteen_id"), values.get("canteen_group_id")
    if (canteen_id is None) == (group_id is None) or (
            canteen_id is not None and session.get(Canteen, canteen_id) is None) or (
            group_id is not None and session.get(CanteenGroup, group_id) is None):
        errors["buyer"] = [_("Choisissez une cantine ou un groupement existant.")]
    try:
        days = parse_weekdays(values.get("delivery_weekdays") or "")
    except ValueError:
        days = []
    if not days or not all(1 <= day <= 7 for day in days):
        errors["delivery_weekdays"] = [_("Des jours de 1 (lundi) à 7, séparés par des virgules.")]
    if not 1 <= int(values.get("years") or 0) <= 10:
        errors["years"] = [_("Entre 1 et 10 ans.")]
    confidence = values.get("confidence")
    if confidence is None or not Decimal("0.5") < confidence < Decimal(1):
        errors["confidence"] = [_("Entre 50 % et 99,9 %.")]
    lead = values.get("lead_farm_id")
    if lead is not None and session.get(Farm, lead) is None:
        errors["lead_farm_id"] = [_("Cette ferme n'existe pas.")]
    if errors:
        raise InvalidInput(
            _("Lot non enregistré : ") + " ".join(
                f"{LOT_LABELS.get(name, name)} — {' '.join(messages)}"
                for name, messages in errors.items()),
            errors)


def save_lot(
    actor: Actor, lot_id: int | None, values: Mapping[str, Any], expected_version: int | None
) -> TenderLot:
    """Create or update a lot (its answer is kept: lines changes clear it)."""
    require_lead(actor)
    _check_lot(values)
    if lot_id is None:
        created: TenderLot = create_record(actor, TenderLot(**values), action="tender_lot.create")
        return created
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est gagné : son contrat fait foi, modifiez plutôt le contrat."))
    apply_edit(actor, lot, dict(values), expected_version=expected_version,
               action="tender_lot.update", labels=LOT_LABELS)
    return lot


def default_price(product_id: int, day: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    """Return the group's cost, margin and fee of a product for the season of ``day``."""
    price = seam.price_parts(get_session(), product_id, day)
    if price is None:
        return Decimal(0), Decimal(0), Decimal(0)
    return price.production_cost_eur, price.margin_eur, price.intermediation_fee_eur


def _clear_answer(lot: TenderLot) -> None:
    """Forget a lot's answer: its lines or settings changed since."""
    for line in lot.lines:
        line.volume_90 = line.volume_95 = line.volume_99 = None
        line.committed_quantity = line.expected_shortfall = line.expected_deliverable = None
        line.shortfall_probability = None
        line.shares.clear()
    lot.status = LotStatus.DRAFT
    lot.answered_dt = None


def _line_values(
    values: Mapping[str, Any], start: dt.date, others: Sequence[int]
) -> dict[str, Any]:
    """Check a lot line (a product not in ``others``) and fill its empty prices; return it."""
    product_id = values.get("product_id")
    if product_id is None or get_session().get(Product, product_id) is None:
        raise InvalidInput(_("Produit : ce produit n'existe pas."),
                           {"product_id": [_("Choisissez un produit du catalogue.")]})
    if product_id in others:
        raise InvalidInput(_("Produit : ce lot a déjà une ligne pour ce produit."),
                           {"product_id": [_("Ce produit a déjà sa ligne dans ce lot.")]})
    estimate = values.get("yearly_estimate")
    if estimate is None or estimate <= 0:
        raise InvalidInput(_("Estimation annuelle : indiquez une quantité supérieure à 0."),
                           {"yearly_estimate": [_("Supérieure à 0.")]})
    prices: dict[str, Decimal] = {}
    for name, default in zip(("production_cost_eur", "margin_eur", "intermediation_fee_eur"),
                             default_price(product_id, start), strict=True):
        given = values.get(name)
        prices[name] = default if given is None else Decimal(given)
    negative = [name for name, value in prices.items() if value < 0]
    if negative:
        raise InvalidInput(
            _("Ligne non enregistrée : ") + ", ".join(str(LINE_LABELS[n]) for n in negative)
            + _(" ne peut pas être négatif."),
            {name: [_("Valeur positive ou nulle.")] for name in negative})
    return {"product_id": product_id, "yearly_estimate": estimate,
            **{name: to_cent(value) for name, value in prices.items()}}


def create_lot(
    actor: Actor, values: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
) -> TenderLot:
    """Create a lot and its products at once: all of it, or nothing if a line is refused."""
    require_lead(actor)
    _check_lot(values)
    lot = TenderLot(**values)
    seen: list[int] = []
    for index, line in enumerate(lines, start=1):
        try:
            checked = _line_values(line, lot.start_date, seen)
        except InvalidInput as error:
            raise InvalidInput(_("Produit n°%(n)s : %(error)s", n=index, error=str(error)),
                               {f"lines.{index}": [str(error)]}) from None
        seen.append(checked["product_id"])
        lot.lines.append(TenderLotLine(**checked))
    created: TenderLot = create_record(actor, lot, action="tender_lot.create")
    return created


def save_lot_line(
    actor: Actor,
    lot_id: int,
    line_id: int | None,
    values: Mapping[str, Any],
    expected_version: int | None,
) -> TenderLotLine:
    """Add or change a product of a lot; prices left empty take the group's season price."""
    require_lead(actor)
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est gagné : son contrat fait foi, modifiez plutôt le contrat."))
    found = next((line for line in lot.lines if line.id == line_id), None)
    if line_id is not None and found is None:
        raise NotFound(_("Cette ligne de lot n'existe pas (ou plus)."))
    changes = _line_values(values, lot.start_date,
                           [line.product_id for line in lot.lines if line.id != line_id])
    _clear_answer(lot)
    if found is None:
        line = TenderLotLine(**changes)
        lot.lines.append(line)
        created: TenderLotLine = create_record(actor, line, action="tender_lot_line.create")
        return created
    apply_edit(actor, found, changes, expected_version=expected_version,
               action="tender_lot_line.update", labels=LINE_LABELS)
    get_session().commit()
    return found


def delete_lot_line(actor: Actor, lot_id: int, line_id: int) -> None:
    """Remove a product from a lot."""
    require_lead(actor)
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est gagné : son contrat fait foi, modifiez plutôt le contrat."))
    line = next((line for line in lot.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_("Cette ligne de lot n'existe pas (ou plus)."))
    record_audit(actor, "tender_lot_line.delete", line, before={"product_id": line.product_id})
    _clear_answer(lot)
    lot.lines.remove(line)
    get_session().commit()


# --- The answer ----------------------------------------------------------------------------------


def _q(value: float) -> Decimal:
    return Decimal(repr(max(0.0, value))).quantize(QUANTITY_STEP)


def answer_lot(
    actor: Actor, lot_id: int, confidence: Decimal | None = None, draws: int = DRAWS
) -> TenderLot:
    """Compute the lot's answer: committable volumes, members' shares and risks; keep it."""
    require_lead(actor)
    session = get_session()
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est gagné : sa réponse est devenue un contrat."))
    if not lot.lines:
        raise InvalidInput(_("Ce lot n'a aucun produit : ajoutez-en avant de répondre."),
                           {"lines": [_("Au moins un produit.")]})
    if confidence is not None:
        if not Decimal("0.5") < confidence < Decimal(1):
            raise InvalidInput(_("Confiance : entre 50 % et 99,9 %."),
                               {"confidence": [_("Entre 50 % et 99,9 %.")]})
        lot.confidence = confidence
    if not 1000 <= draws <= 100_000:
        raise InvalidInput(_("Tirages : entre 1 000 et 100 000."),
                           {"draws": [_("Entre 1 000 et 100 000.")]})
    models = seam.season_models(session, seam.season_year_of(lot.start_date))
    answer = commit_lot(seam.lot_problem(session, lot, models, draws=draws,
                                         confidence=float(lot.confidence)))
    for line, result in zip(lot.lines, answer.lines, strict=True):
        line.volume_90 = _q(result.level(0.90).volume)
        line.volume_95 = _q(result.level(0.95).volume)
        line.volume_99 = _q(result.level(0.99).volume)
        line.committed_quantity = _q(result.chosen_volume)
        chosen = next((level for level in result.levels
                       if abs(level.confidence - float(lot.confidence)) < 1e-9), None)
        missing = max(0.0, float(result.chosen_volume)) if chosen is None else \
            chosen.expected_shortfall
        line.expected_shortfall = _q(missing)
        line.shortfall_probability = chosen.shortfall_probability if chosen else None
        line.expected_deliverable = _q(result.expected_deliverable)
        line.shares.clear()
        session.flush()
        line.shares.extend(
            TenderShare(farm_id=seam.farm_id_of(member.grower),
                        volume_share=Decimal(repr(member.volume_share)).quantize(Decimal("0.0001")),
                        quantity=_q(member.volume), own_shortfall=_q(member.own_shortfall),
                        covers_for_others=_q(member.covers_for_others))
            for member in result.members
            if Decimal(repr(member.volume_share)).quantize(Decimal("0.0001")) > 0)
    lot.status = LotStatus.ANSWERED
    lot.answered_dt = now()
    lot.draws = answer.draws
    lot.answer_s = answer.solve_s
    session.flush()
    if lot.lead_farm_id is None:
        members = member_values(lot)
        lot.lead_farm_id = members[0].farm.id if members else None
    record_audit(actor, "tender_lot.answer", lot, after={
        "confidence": str(lot.confidence), "draws": draws,
        "committed": {line.product.slug: str(line.committed_quantity) for line in lot.lines}})
    session.commit()
    return lot


@dataclass(frozen=True, slots=True)
class MemberValue:
    """A member's part of the whole lot: its yearly value and share of the lot's value."""

    farm: Farm
    value_eur: Decimal
    share: Decimal
    lines: int


def line_value(line: TenderLotLine) -> Decimal:
    """Return the yearly value of a line: committed quantity × price, to the cent."""
    return line_value_eur(line.committed_quantity or Decimal(0), line.price_eur)


def member_values(lot: TenderLot) -> list[MemberValue]:
    """Return each member's yearly value in the answer, the largest first."""
    values: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    farms: dict[int, Farm] = {}
    for line in lot.lines:
        for share in line.shares:
            values[share.farm_id] += line_value_eur(share.quantity, line.price_eur)
            counts[share.farm_id] += 1
            farms[share.farm_id] = share.farm
    total = sum(values.values(), Decimal(0))
    return sorted(
        (MemberValue(farms[farm_id], value, (value / total) if total else Decimal(0),
                     counts[farm_id]) for farm_id, value in values.items()),
        key=lambda member: member.value_eur, reverse=True)


def lot_value_eur(lot: TenderLot) -> Decimal:
    """Return the yearly value of the lot's committed volumes."""
    return sum((line_value(line) for line in lot.lines), Decimal(0))


def _weekday_names(text: str) -> str:
    names = (_("lundi"), _("mardi"), _("mercredi"), _("jeudi"), _("vendredi"), _("samedi"),
             _("dimanche"))
    return ", ".join(names[day - 1] for day in parse_weekdays(text))


def delivery_days_text(lot: TenderLot) -> str:
    """Return the lot's delivery days in words (« lundi, jeudi »)."""
    return _weekday_names(lot.delivery_weekdays)


def create_contract(actor: Actor, lot_id: int) -> Contract:
    """The lot is won: create its contract from the answer (volumes, prices, members)."""
    require_lead(actor)
    session = get_session()
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est déjà gagné : son contrat existe."))
    if lot.status != LotStatus.ANSWERED:
        raise Conflict(_("Répondez d'abord au lot (« Peut-on s'engager ? ») : le contrat "
                         "reprend les volumes engagés de la réponse."))
    end = _same_day_years_later(lot.start_date, lot.years) - dt.timedelta(days=1)
    members = sorted({share.farm_id for line in lot.lines for share in line.shares})
    contract = Contract(
        title=lot.title, tender_reference=lot.tender_reference, lot_label=lot.lot_label,
        canteen_id=lot.canteen_id, canteen_group_id=lot.canteen_group_id,
        start_date=lot.start_date, end_date=end,
        delivery_frequency=delivery_days_text(lot)[:200] or None,
        notes=lot.notes, is_active=True,
        growers=list(session.scalars(select(Farm).where(Farm.id.in_(members)))),
    )
    contract.lines = [
        ContractLine(product_id=line.product_id,
                     committed_min_quantity_per_year=line.committed_quantity,
                     production_cost_eur=line.production_cost_eur, margin_eur=line.margin_eur,
                     intermediation_fee_eur=line.intermediation_fee_eur)
        for line in lot.lines if line.committed_quantity
    ]
    session.add(contract)
    session.flush()
    lot.contract_id = contract.id
    lot.status = LotStatus.WON
    record_audit(actor, "tender_lot.won", lot, after={"contract_id": contract.id,
                                                      "lines": len(contract.lines)})
    record_audit(actor, "contract.create", contract, after={"id": contract.id,
                                                            "from_lot": lot.id})
    session.commit()
    return contract


def import_lot(actor: Actor, content: bytes) -> TenderLot:
    """Create a lot from the filled template, all of it or nothing (UploadRefused says why)."""
    from pial.season.xlsx import read_lot

    require_lead(actor)
    session = get_session()
    parsed = read_lot(
        content,
        list(session.scalars(select(Product).where(Product.is_active))),
        list(session.scalars(select(Canteen).where(Canteen.is_active))),
        list(session.scalars(select(CanteenGroup))),
    )
    lines = [{"product_id": product.id, "yearly_estimate": estimate}
             for product, estimate in parsed.lines]
    return create_lot(actor, parsed.values, lines)


def _same_day_years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def mark_lost(actor: Actor, lot_id: int) -> TenderLot:
    """Record that the lot went to another bidder."""
    require_lead(actor)
    lot = get_lot(lot_id)
    if lot.status == LotStatus.WON:
        raise Conflict(_("Ce lot est gagné : son contrat existe."))
    lot.status = LotStatus.LOST
    record_audit(actor, "tender_lot.lost", lot, after={"status": "lost"})
    get_session().commit()
    return lot
