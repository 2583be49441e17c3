"""Contracts: the lead's upkeep of contracts, lines, periods and growers, and their tracking."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import today_in_paris
from pial.contracts.tracking import (
    Alert,
    ContractYear,
    Period,
    alert_for,
    contract_years,
    expected_to_date,
    forecast_year_end,
    year_commitment,
    year_of,
)
from pial.db import get_session
from pial.editing import apply_edit, create_record
from pial.errors import Forbidden, InvalidInput, NotFound
from pial.i18n import collation_key, sorted_by_name
from pial.models import (
    Canteen,
    CanteenGroup,
    Contract,
    ContractLine,
    ContractLinePeriod,
    Farm,
    Product,
    Role,
    User,
    canteen_group_members,
)
from pial.published.sales import Sale, sales_between

CONTRACT_LABELS = {
    "title": _l("Intitulé"),
    "tender_reference": _l("Référence de la consultation"),
    "lot_label": _l("Lot"),
    "canteen_id": _l("Cantine"),
    "canteen_group_id": _l("Groupement"),
    "start_date": _l("Début"),
    "end_date": _l("Fin"),
    "renewal_of_id": _l("Reconduction de"),
    "delivery_frequency": _l("Fréquence"),
    "notes": _l("Notes"),
    "is_active": _l("Actif"),
    "invoiced_by": _l("Facturé par"),
}
LINE_LABELS = {
    "product_id": _l("Produit"), "committed_min_quantity_per_year": _l("Minimum annuel"),
    "production_cost_eur": _l("Coût de production"), "margin_eur": _l("Marge"),
    "intermediation_fee_eur": _l("Frais d'intermédiation"),
}


# --- Reading and access ------------------------------------------------------------------------


def buyer_canteen_ids(contract: Contract) -> set[int]:
    """Return the canteens buying under a contract (its canteen, or its group's members)."""
    if contract.canteen_id is not None:
        return {contract.canteen_id}
    session = get_session()
    return set(session.scalars(
        select(canteen_group_members.c.canteen_id)
        .where(canteen_group_members.c.canteen_group_id == contract.canteen_group_id)
    ))


def buyer_name(contract: Contract) -> str:
    """Return the name of the contract's buyer."""
    if contract.canteen is not None:
        return contract.canteen.name
    return contract.canteen_group.name if contract.canteen_group is not None else "—"


def can_read(actor: Actor, contract: Contract) -> bool:
    """Tell whether ``actor`` may see a contract and its progress."""
    if actor is None or actor.role == Role.LEAD:
        return True
    if actor.role == Role.CANTEEN:
        return actor.canteen_id in buyer_canteen_ids(contract)
    return False


def list_contracts(actor: Actor) -> list[Contract]:
    """Return the contracts ``actor`` may see, the latest first."""
    session = get_session()
    query = select(Contract).order_by(Contract.is_active.desc(), Contract.start_date.desc(),
                                      Contract.id.desc())
    if actor is None or actor.role == Role.LEAD:
        return list(session.scalars(query))
    if actor.role == Role.CANTEEN:
        group_ids = select(canteen_group_members.c.canteen_group_id).where(
            canteen_group_members.c.canteen_id == actor.canteen_id)
        query = query.where(or_(Contract.canteen_id == actor.canteen_id,
                                Contract.canteen_group_id.in_(group_ids)))
        return list(session.scalars(query))
    return []


def get_contract(contract_id: int, actor: Actor = None) -> Contract:
    """Return a contract ``actor`` may see, or raise NotFound / Forbidden."""
    session = get_session()
    contract = session.scalar(
        select(Contract).where(Contract.id == contract_id).options(
            selectinload(Contract.lines).selectinload(ContractLine.periods),
            selectinload(Contract.growers))
    )
    if contract is None:
        raise NotFound(gettext("Ce contrat n'existe pas (ou plus)."))
    if not can_read(actor, contract):
        raise Forbidden(gettext("Vous ne pouvez voir que les contrats de votre cantine."))
    return contract


def get_line(contract_id: int, line_id: int) -> ContractLine:
    """Return a line of a contract, or raise NotFound."""
    line = get_session().get(ContractLine, line_id)
    if line is None or line.contract_id != contract_id:
        raise NotFound(gettext("Cette ligne de contrat n'existe pas (ou plus)."))
    return line


def buyer_choices() -> list[tuple[str, str]]:
    """Return the possible buyers as (``canteen:ID`` or ``group:ID``, label) pairs."""
    session = get_session()
    groups = session.scalars(select(CanteenGroup).order_by(CanteenGroup.name))
    canteens = sorted_by_name(
        session.scalars(select(Canteen).where(Canteen.is_active)), lambda c: c.name)
    return [(f"group:{g.id}", gettext("Groupement : %(name)s", name=g.name)) for g in groups] + [
        (f"canteen:{c.id}", gettext("Cantine : %(name)s", name=c.name)) for c in canteens]


def farm_choices() -> list[tuple[int, str]]:
    """Return the active farms as (id, name) pairs."""
    farms = sorted_by_name(
        get_session().scalars(select(Farm).where(Farm.is_active)), lambda f: f.name)
    return [(farm.id, farm.name) for farm in farms]


def product_choices() -> list[tuple[int, str]]:
    """Return the active products as (id, name) pairs."""
    products = sorted_by_name(
        get_session().scalars(select(Product).where(Product.is_active)), lambda p: p.name_fr)
    return [(product.id, product.name_fr) for product in products]


# --- Upkeep (the lead) -------------------------------------------------------------------------


def _require_lead(actor: Actor) -> None:
    if actor is None or actor.role != Role.LEAD:
        raise Forbidden(gettext("Seule la personne responsable du projet gère les contrats."))


def parse_buyer(text: str | None) -> tuple[int | None, int | None]:
    """Turn ``canteen:3`` / ``group:2`` into (canteen_id, canteen_group_id)."""
    kind, _, number = (text or "").partition(":")
    if kind in ("canteen", "group") and number.isdigit():
        return (int(number), None) if kind == "canteen" else (None, int(number))
    raise InvalidInput(
        gettext("Acheteur : choisissez une cantine ou un groupement."),
        {"buyer": [gettext("Choisissez une cantine ou un groupement.")]},
    )


def save_contract(
    actor: User,
    contract_id: int | None,
    values: Mapping[str, Any],
    grower_ids: Sequence[int],
    expected_version: int | None,
) -> Contract:
    """Create or update a contract and the growers who supply it."""
    _require_lead(actor)
    session = get_session()
    errors: dict[str, list[str]] = {}
    if values["end_date"] < values["start_date"]:
        errors["end_date"] = [gettext("La fin doit suivre le début.")]
    if values.get("renewal_of_id") is not None and values["renewal_of_id"] == contract_id:
        errors["renewal_of_id"] = [gettext("Un contrat ne peut pas être sa propre reconduction.")]
    buyer_model = Canteen if values.get("canteen_id") else CanteenGroup
    buyer_id = values.get("canteen_id") or values.get("canteen_group_id")
    if buyer_id is None or session.get(buyer_model, buyer_id) is None:
        errors["buyer"] = [gettext("Cet acheteur n'existe pas.")]
    farms = list(session.scalars(select(Farm).where(Farm.id.in_(list(grower_ids)))))
    if len(farms) != len(set(grower_ids)):
        errors["growers"] = [gettext("Une ferme choisie n'existe pas.")]
    if errors:
        raise InvalidInput(
            gettext("Contrat non enregistré : ")
            + " ".join(
                f"{CONTRACT_LABELS.get(name, name)} — {' '.join(messages)}"
                for name, messages in errors.items()
            ),
            errors,
        )
    if contract_id is None:
        contract = Contract(**values)
        contract.growers = farms
        created: Contract = create_record(actor, contract, action="contract.create")
        return created
    contract = get_contract(contract_id, actor)
    apply_edit(actor, contract, dict(values), expected_version=expected_version,
               action="contract.update", labels=CONTRACT_LABELS)
    if {farm.id for farm in contract.growers} != {farm.id for farm in farms}:
        before = sorted(farm.id for farm in contract.growers)
        contract.growers = farms
        record_audit(actor, "contract.growers", contract, before={"growers": before},
                     after={"growers": sorted(farm.id for farm in farms)})
        session.commit()
    return contract


def save_line(
    actor: User,
    contract_id: int,
    line_id: int | None,
    values: Mapping[str, Any],
    expected_version: int | None,
) -> ContractLine:
    """Create or update a contract line (a product, its yearly minimum and price components)."""
    _require_lead(actor)
    session = get_session()
    contract = get_contract(contract_id, actor)
    if session.get(Product, values["product_id"]) is None:
        raise InvalidInput(
            gettext("Produit : ce produit n'existe pas."),
            {"product_id": [gettext("Choisissez un produit du catalogue.")]},
        )
    duplicate = session.scalar(select(ContractLine.id).where(
        ContractLine.contract_id == contract.id,
        ContractLine.product_id == values["product_id"]))
    if duplicate is not None and duplicate != line_id:
        raise InvalidInput(
            gettext("Produit : ce contrat a déjà une ligne pour ce produit."),
            {"product_id": [gettext("Ce produit a déjà sa ligne dans ce contrat.")]},
        )
    negative = [name for name in LINE_LABELS if name != "product_id" and values[name] < 0]
    if negative:
        raise InvalidInput(
            gettext("Ligne non enregistrée : ")
            + ", ".join(str(LINE_LABELS[n]) for n in negative)
            + gettext(" ne peut pas être négatif."),
            {n: [gettext("Valeur positive ou nulle.")] for n in negative},
        )
    if line_id is None:
        line = ContractLine(**values)
        contract.lines.append(line)  # keeps the loaded contract in step with the database
        created: ContractLine = create_record(actor, line, action="contract_line.create")
        return created
    line = get_line(contract_id, line_id)
    apply_edit(actor, line, dict(values), expected_version=expected_version,
               action="contract_line.update", labels=LINE_LABELS)
    return line


def delete_line(actor: User, contract_id: int, line_id: int) -> None:
    """Remove a line from a contract (orders keep their quantities, no longer marked)."""
    _require_lead(actor)
    session = get_session()
    line = get_line(contract_id, line_id)
    record_audit(actor, "contract_line.delete", line,
                 before={"product_id": line.product_id,
                         "committed": str(line.committed_min_quantity_per_year)})
    line.contract.lines.remove(line)  # delete-orphan removes the row
    session.delete(line)
    session.commit()


def add_period(
    actor: User, contract_id: int, line_id: int, start: dt.date, end: dt.date,
    min_quantity: Decimal,
) -> ContractLinePeriod:
    """Add a committed minimum over a date range (e.g. a month) to a contract line."""
    _require_lead(actor)
    line = get_line(contract_id, line_id)
    contract = line.contract
    errors: dict[str, list[str]] = {}
    if end < start:
        errors["end_date"] = [gettext("La fin doit suivre le début.")]
    if start < contract.start_date or end > contract.end_date:
        errors["start_date"] = [
            gettext(
                "La période doit tenir dans le contrat (%(start_date)s – %(end_date)s).",
                start_date=format(contract.start_date, "%d/%m/%Y"),
                end_date=format(contract.end_date, "%d/%m/%Y"),
            )
        ]
    if min_quantity < 0:
        errors["min_quantity"] = ["Valeur positive ou nulle."]
    if any(p.start_date <= end and start <= p.end_date for p in line.periods):
        errors.setdefault("start_date", []).append(
            gettext("Cette période chevauche une période déjà saisie.")
        )
    if errors:
        raise InvalidInput(
            gettext("Période non enregistrée : ")
            + " ".join(message for messages in errors.values() for message in messages),
            errors,
        )
    period = ContractLinePeriod(start_date=start, end_date=end, min_quantity=min_quantity)
    line.periods.append(period)
    created: ContractLinePeriod = create_record(actor, period, action="contract_period.create")
    return created


def delete_period(actor: User, contract_id: int, period_id: int) -> None:
    """Remove a period of a contract line."""
    _require_lead(actor)
    session = get_session()
    period = session.get(ContractLinePeriod, period_id)
    if period is None or period.contract_line.contract_id != contract_id:
        raise NotFound(gettext("Cette période n'existe pas (ou plus)."))
    record_audit(actor, "contract_period.delete", period,
                 before={"start": str(period.start_date), "end": str(period.end_date),
                         "min_quantity": str(period.min_quantity)})
    period.contract_line.periods.remove(period)
    session.delete(period)
    session.commit()


# --- Tracking ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one farm delivered on a contract line in the year."""

    farm: Farm
    quantity: Decimal
    share: Decimal  # of the line's delivered quantity, 0..1
    is_listed: bool  # among the contract's growers


@dataclass(frozen=True, slots=True)
class LineProgress:
    """Where a contract line stands in a contract year."""

    line: ContractLine
    commitment: Decimal
    delivered: Decimal
    delivered_eur: Decimal
    expected: Decimal
    forecast: Decimal
    alert: Alert | None
    contributions: list[Contribution]

    @property
    def ratio(self) -> Decimal | None:
        """Return delivered / commitment, or None without commitment."""
        return self.delivered / self.commitment if self.commitment else None


@dataclass(frozen=True, slots=True)
class ContractProgress:
    """A contract's progress in one of its years, as of a day."""

    contract: Contract
    years: list[ContractYear]
    year: ContractYear
    as_of: dt.date
    lines: list[LineProgress]
    weekly: list[tuple[dt.date, Decimal, Decimal]] = field(default_factory=list)
    # (Monday, cumulative delivered €, cumulative pro-rata €) for the chart

    @property
    def alerts(self) -> list[LineProgress]:
        """Return the lines behind their pro-rata, the furthest behind first."""
        return sorted((p for p in self.lines if p.alert is not None),
                      key=lambda p: p.alert.behind_share if p.alert else Decimal(0),
                      reverse=True)


def _periods_of(line: ContractLine) -> list[Period]:
    return [Period(p.start_date, p.end_date, p.min_quantity) for p in line.periods]


def contract_progress(
    contract_id: int, actor: Actor = None, *, year_index: int | None = None,
    as_of: dt.date | None = None,
) -> ContractProgress:
    """Return the progress of each line of a contract over one contract year, as of a day."""
    contract = get_contract(contract_id, actor)
    as_of = as_of or today_in_paris()
    years = contract_years(contract.start_date, contract.end_date)
    year = year_of(years, as_of)
    if year_index is not None:
        matching = [y for y in years if y.index == year_index]
        if not matching:
            raise NotFound(
                gettext("Ce contrat n'a pas d'année n°%(year_index)s.", year_index=year_index)
            )
        year = matching[0]
    last = min(as_of, year.end)
    sales = (
        sales_between(get_session(), year.start, last, canteen_ids=buyer_canteen_ids(contract))
        if last >= year.start else []
    )
    by_line: dict[int, list[Sale]] = defaultdict(list)
    for sale in sales:
        if sale.contract_line is not None and sale.contract_line.contract_id == contract.id:
            by_line[sale.contract_line.id].append(sale)
    listed = {farm.id for farm in contract.growers}
    lines = [
        _line_progress(line, by_line[line.id], year, as_of, listed)
        for line in sorted(contract.lines, key=lambda ln: collation_key(ln.product.name_fr))
    ]
    weekly = _weekly_value(contract, by_line, year, as_of)
    return ContractProgress(contract, years, year, as_of, lines, weekly)


def _line_progress(
    line: ContractLine, sales: list[Sale], year: ContractYear, as_of: dt.date,
    listed: set[int],
) -> LineProgress:
    """Compute a line's delivered, pro-rata, forecast, alert and growers' contributions."""
    periods = _periods_of(line)
    mask = line.product.season_mask
    commitment = year_commitment(line.committed_min_quantity_per_year, periods, year)
    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    by_farm: dict[int, Decimal] = defaultdict(Decimal)
    farms: dict[int, Farm] = {}
    for sale in sales:
        by_day[sale.day] += sale.quantity
        by_farm[sale.line.farm_id] += sale.quantity
        farms[sale.line.farm_id] = sale.line.farm
    delivered = sum(by_day.values(), Decimal(0))
    expected = expected_to_date(commitment, periods, year, as_of, mask)
    forecast = forecast_year_end(dict(by_day), year, as_of, mask, commitment)
    contributions = sorted(
        (Contribution(farms[farm_id], quantity,
                      quantity / delivered if delivered else Decimal(0), farm_id in listed)
         for farm_id, quantity in by_farm.items()),
        key=lambda c: c.quantity, reverse=True)
    return LineProgress(
        line=line, commitment=commitment, delivered=delivered,
        delivered_eur=sum((sale.value_eur for sale in sales), Decimal(0)),
        expected=expected, forecast=forecast,
        alert=alert_for(delivered, expected, commitment, forecast),
        contributions=contributions,
    )


def _weekly_value(
    contract: Contract, by_line: Mapping[int, list[Sale]], year: ContractYear, as_of: dt.date
) -> list[tuple[dt.date, Decimal, Decimal]]:
    """Return, per week of the year so far, the cumulative delivered and due value (€)."""
    monday = year.start - dt.timedelta(days=year.start.weekday())
    last = min(as_of, year.end)
    delivered_by_week: dict[dt.date, Decimal] = defaultdict(Decimal)
    for sales in by_line.values():
        for sale in sales:
            delivered_by_week[sale.day - dt.timedelta(days=sale.day.weekday())] += sale.value_eur
    points = []
    cumulative = Decimal(0)
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        cumulative += delivered_by_week.get(monday, Decimal(0))
        due = sum(
            (expected_to_date(year_commitment(line.committed_min_quantity_per_year,
                                              _periods_of(line), year),
                              _periods_of(line), year, min(sunday, last),
                              line.product.season_mask) * line.price_eur
             for line in contract.lines),
            Decimal(0),
        )
        points.append((monday, cumulative, due.quantize(Decimal("0.01"))))
        monday += dt.timedelta(weeks=1)
    return points
