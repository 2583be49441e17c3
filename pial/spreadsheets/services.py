"""Query the database into the spreadsheets' dataclasses, check who may, call the writers.

The only module of the package that touches the database. Exports read published plans (the
latest published version of each week) through :mod:`pial.published`, at the lines' prices;
imports validate the whole file, then hand its lines to the weekly services
(``save_availability`` / ``save_orders``), which apply deadlines, ownership and contract
marking and write everything in one transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from pial.actors import Actor
from pial.allocation.coordination import can_coordinate
from pial.allocation.runs import current_published_runs
from pial.contracts.services import buyer_name, contract_progress
from pial.db import get_session
from pial.deliveries.services import organic_certificate, supplier, supplier_certificate
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.models import (
    AvailabilityLine,
    Canteen,
    Contract,
    CoordinatorAssignment,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    OrderLine,
    Price,
    Product,
    Role,
    Season,
    User,
)
from pial.published.plan import PlanLine, PublishedPlan, plan_lines, published_plan
from pial.spreadsheets.data import (
    ContractRow,
    EntryLine,
    EntryTemplateData,
    GrowerEquity,
    OrderedQuantity,
    Party,
    PlannedLine,
    PlanningWorkbookData,
    ProductInfo,
    SeasonRow,
)
from pial.spreadsheets.entry import AVAILABILITY, ENTRY_SHEETS, ORDERS, write_entry_template
from pial.spreadsheets.planning import write_planning_workbook
from pial.spreadsheets.reading import (
    UploadLimits,
    UploadRefused,
    load_entry_workbook,
    validate_entry_rows,
)
from pial.spreadsheets.season import write_season_workbook
from pial.units import french_unit_label
from pial.weeks.calendar import (
    canteen_delivery_days,
    delivery_days,
    get_week,
    products_in_season,
)
from pial.weeks.offers import AvailabilityInput, save_availability
from pial.weeks.orders import OrderInput, save_orders
from pial.weeks.parsing import parse_quantity

CENT = Decimal("0.01")
KIND_LABELS = {AVAILABILITY: _l("disponibilités"), ORDERS: _l("commandes")}
SEASON_WEEKS_PER_READ = 13
"""The season export reads and prices the lines of this many weeks at once (a quarter)."""


# --- Helpers -----------------------------------------------------------------------------------


def week_label(iso_week: str, monday: dt.date) -> str:
    """Return ``semaine 48 (du 23/11/2026 au 29/11/2026)``."""
    sunday = monday + dt.timedelta(days=6)
    return str(
        gettext(
            "semaine %(split)s (du %(monday)s au %(sunday)s)",
            split=int(iso_week.split("-W")[1]),
            monday=format(monday, "%d/%m/%Y"),
            sunday=format(sunday, "%d/%m/%Y"),
        )
    )


def product_info(product: Product) -> ProductInfo:
    """Return the spreadsheet view of a catalogue product."""
    return ProductInfo(
        slug=product.slug,
        name=product.name_fr,
        unit=str(product.unit),  # a ProductUnit, or its value on a row not yet reloaded
        unit_kg=product.unit_kg,
        lot_size=product.lot_size,
        family=product.family,
        is_organic=product.is_organic,
    )


def _plan_to_export(week: DeliveryWeek) -> PublishedPlan:
    """Return the week's published plan, or refuse: there is nothing to export yet."""
    plan = published_plan(week)
    if plan is None:
        raise Conflict(
            gettext(
                "Aucun planning n'est encore publié pour la semaine %(week_number)s : rien à "
                "exporter.",
                week_number=week.week_number,
            )
        )
    return plan


def _role(actor: Actor) -> str | None:
    return actor.role if actor is not None else None


# --- Weekly planning workbook ---------------------------------------------------------------


def planning_workbook_data(iso_week: str, actor: Actor = None) -> PlanningWorkbookData:
    """Gather the published plan of ``iso_week`` (the lead or the week's coordinator only)."""
    week = get_week(iso_week)
    if not can_coordinate(actor, week.iso_week):
        raise Forbidden(
            gettext(
                "Le classeur du planning est réservé à la personne responsable du projet et au "
                "coordinateur de la semaine."
            )
        )
    session = get_session()
    plan = _plan_to_export(week)
    fee_by_product = _intermediation_fees(week.monday_date)
    products: dict[str, ProductInfo] = {}
    lines: list[PlannedLine] = []
    positions = _round_positions(plan)
    for line in plan.lines:
        products.setdefault(line.product.slug, product_info(line.product))
        lines.append(replace(
            _planned_line(line, fee_by_product),
            round_position=positions.get((line.farm_id, line.day, line.canteen_id)),
        ))
    orders: list[OrderedQuantity] = []
    for order, canteen_name, product in session.execute(
        select(OrderLine, Canteen.name, Product)
        .join(Canteen, OrderLine.canteen_id == Canteen.id)
        .join(Product, OrderLine.product_id == Product.id)
        .where(OrderLine.week_id == week.id, OrderLine.quantity > 0)
    ).tuples():
        products.setdefault(product.slug, product_info(product))
        orders.append(
            OrderedQuantity(order.day, order.canteen_id, canteen_name, product.slug, order.quantity)
        )
    coordinator = session.scalar(
        select(Farm.name)
        .join(CoordinatorAssignment, CoordinatorAssignment.farm_id == Farm.id)
        .where(CoordinatorAssignment.week_id == week.id)
    )
    return PlanningWorkbookData(
        iso_week=week.iso_week,
        week_label=week_label(week.iso_week, week.monday_date),
        version=plan.version,
        published_dt=plan.run.published_dt,
        coordinator_name=coordinator,
        products=products,
        lines=lines,
        orders=orders,
        equity=_equity(week, lines),
        contracts=_contract_rows(plan, products),
        **_parties(plan),
    )


def _round_positions(plan: PublishedPlan) -> dict[tuple[int, dt.date, int], int]:
    """Return each stop's place in its farm's round: {(farm id, day, canteen id): 1, 2, …}."""
    return {
        (farm_id, day, canteen.id): position
        for (farm_id, day), tour in plan.rounds.items()
        for position, (canteen, _leg_km) in enumerate(tour, start=1)
    }


def _parties(plan: PublishedPlan) -> dict[str, Any]:
    """Return who the delivery notes name: the group as supplier, the farms, the canteens.

    A farm's organic certificate is the one valid on its first delivery day of the week.
    """
    platform = supplier()
    supplier_party = None
    if platform is not None:
        supplier_party = Party(
            name=platform.legal_name or platform.territory_name,
            address=platform.address,
            siret=platform.siret,
            organic_certificate=supplier_certificate(platform),
        )
    farms: dict[int, Party] = {}
    canteens: dict[int, Party] = {}
    for line in sorted(plan.lines, key=lambda line: line.day):
        if line.farm_id not in farms:
            farms[line.farm_id] = Party(
                name=line.farm.name,
                address=line.farm.address or line.farm.commune,
                siret=line.farm.siret,
                organic_certificate=organic_certificate(line.farm, line.day),
            )
        if line.canteen_id not in canteens:
            canteens[line.canteen_id] = Party(
                name=line.canteen.name,
                address=line.canteen.address or line.canteen.commune,
                siret=line.canteen.siret,
            )
    return {"supplier": supplier_party, "farms": farms, "canteens": canteens}


def _planned_line(line: PlanLine, fee_by_product: dict[int, Decimal]) -> PlannedLine:
    """Return the workbook's view of a plan line: its value, and the fee included in it."""
    fee_per_unit = (
        line.contract_line.intermediation_fee_eur if line.contract_line is not None
        else fee_by_product.get(line.product_id, Decimal(0))
    )
    fee = (line.quantity * fee_per_unit).quantize(CENT, ROUND_HALF_UP)
    return PlannedLine(
        day=line.day,
        farm_id=line.farm_id,
        farm_name=line.farm.name,
        canteen_id=line.canteen_id,
        canteen_name=line.canteen.name,
        product_slug=line.product.slug,
        quantity=line.quantity,
        unit_price_eur=line.unit_price_eur,
        value_eur=line.value_eur,
        fee_eur=min(fee, line.value_eur),
        distance_km=line.distance_km,
    )


def export_planning(
    iso_week: str, stream: IO[bytes], actor: Actor = None
) -> PlanningWorkbookData:
    """Write the planning workbook of ``iso_week`` to ``stream``; return what it shows."""
    data = planning_workbook_data(iso_week, actor)
    write_planning_workbook(data, stream)
    return data


def _intermediation_fees(day: dt.date) -> dict[int, Decimal]:
    """Return the intermediation fee per unit of each product in the season of ``day``."""
    rows = get_session().execute(
        select(Price.product_id, Price.intermediation_fee_eur)
        .join(Season, Price.season_id == Season.id)
        .where(Season.start_date <= day, Season.end_date >= day)
    )
    return {product_id: fee for product_id, fee in rows.tuples()}


def _equity(week: DeliveryWeek, lines: list[PlannedLine]) -> list[GrowerEquity]:
    """Return each active or planned farm's value of the week, target share and ledger."""
    session = get_session()
    value_by_farm: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        value_by_farm[line.farm_id] += line.value_eur
    farms = session.scalars(
        select(Farm).where(or_(Farm.is_active.is_(True), Farm.id.in_(list(value_by_farm))))
    )
    # The ledger as it stands once this week is counted: later weeks' movements left out.
    visible = (
        select(func.max(LedgerEntry.id))
        .outerjoin(DeliveryWeek, LedgerEntry.week_id == DeliveryWeek.id)
        .where(or_(LedgerEntry.week_id.is_(None), DeliveryWeek.monday_date <= week.monday_date))
        .group_by(LedgerEntry.farm_id)
    )
    ledger: dict[int, Decimal] = {
        farm_id: balance
        for farm_id, balance in session.execute(
            select(LedgerEntry.farm_id, LedgerEntry.balance_after_eur).where(
                LedgerEntry.id.in_(visible)
            )
        ).tuples()
    }
    return [
        GrowerEquity(
            farm_name=farm.name,
            value_eur=value_by_farm.get(farm.id, Decimal(0)),
            target_share=farm.target_share,
            ledger_eur=ledger.get(farm.id, Decimal(0)),
        )
        for farm in farms
    ]


def _contract_rows(plan: PublishedPlan, products: dict[str, ProductInfo]) -> list[ContractRow]:
    """Return each line of the contracts running during the week, as its contract page does.

    The progress is the contract year's as of the week's last day; "this week" counts the
    plan's lines sold under the contract line.
    """
    week_end = plan.week.monday_date + dt.timedelta(days=6)
    contracts = get_session().scalars(
        select(Contract).where(
            Contract.is_active.is_(True),
            Contract.start_date <= week_end,
            Contract.end_date >= plan.week.monday_date,
        )
    ).all()
    this_week: dict[int, Decimal] = defaultdict(Decimal)
    for line in plan.lines:
        if line.contract_line is not None:
            this_week[line.contract_line.id] += line.quantity
    rows = []
    for contract in contracts:
        progress = contract_progress(contract.id, None, as_of=week_end)  # access checked above
        for line_progress in progress.lines:
            contract_line = line_progress.line
            products.setdefault(contract_line.product.slug, product_info(contract_line.product))
            rows.append(
                ContractRow(
                    contract_title=contract.title,
                    buyer_name=buyer_name(contract),
                    product_slug=contract_line.product.slug,
                    start_date=progress.year.start,
                    end_date=progress.year.end,
                    committed_quantity=line_progress.commitment,
                    delivered_quantity=line_progress.delivered,
                    this_week_quantity=this_week.get(contract_line.id, Decimal(0)),
                )
            )
    return rows


# --- Season export ------------------------------------------------------------------------------


def _get_season(code: str) -> Season:
    season = get_session().scalar(select(Season).where(Season.code == code))
    if season is None:
        raise NotFound(gettext("La saison %(code)s n'existe pas.", code=code))
    return season


def season_rows(season_code: str) -> Iterator[SeasonRow]:
    """Yield every line of the season's current published plans, a quarter's weeks at a time."""
    season = _get_season(season_code)
    session = get_session()
    runs = session.scalars(
        current_published_runs()
        .join(DeliveryWeek)
        .where(
            DeliveryWeek.monday_date <= season.end_date,
            DeliveryWeek.monday_date >= season.start_date - dt.timedelta(days=6),
        )
        .order_by(DeliveryWeek.monday_date)
    ).all()
    iso_weeks = {run.id: run.week.iso_week for run in runs}
    for first in range(0, len(runs), SEASON_WEEKS_PER_READ):
        lines = [
            line for line in plan_lines(session, runs[first : first + SEASON_WEEKS_PER_READ])
            if season.start_date <= line.day <= season.end_date
        ]
        lines.sort(key=lambda ln: (ln.day, ln.farm.name, ln.canteen.name, ln.product.name_fr))
        for line in lines:
            yield SeasonRow(
                iso_week=iso_weeks[line.run_id],
                day=line.day,
                farm_name=line.farm.name,
                canteen_name=line.canteen.name,
                product_name=line.product.name_fr,
                unit=french_unit_label(line.product.unit),
                quantity=line.quantity,
                quantity_kg=line.quantity * line.product.unit_kg,
                value_eur=line.value_eur,
                distance_km=line.distance_km,
            )


def export_season(season_code: str, stream: IO[bytes], actor: Actor = None) -> int:
    """Write the season workbook (the lead only); return the number of lines written."""
    if actor is not None and _role(actor) != Role.LEAD:
        raise Forbidden(
            gettext("L'export de la saison est réservé à la personne responsable du projet.")
        )
    _get_season(season_code)
    return write_season_workbook(season_code, season_rows(season_code), stream)


# --- Entry templates and imports ------------------------------------------------------------


def _require_owner(actor: Actor, kind: str, owner_id: int) -> str:
    """Check that ``actor`` may enter the farm's offer or the canteen's orders; return its name."""
    session = get_session()
    owner: Farm | Canteen | None
    if kind == AVAILABILITY:
        owner = session.get(Farm, owner_id)
        allowed = actor is not None and actor.role == Role.GROWER and actor.farm_id == owner_id
        refusal = gettext("Vous ne pouvez saisir que les disponibilités de votre propre ferme.")
    else:
        owner = session.get(Canteen, owner_id)
        allowed = (
            actor is not None and actor.role == Role.CANTEEN and actor.canteen_id == owner_id
        )
        refusal = gettext("Vous ne pouvez saisir que les commandes de votre propre cantine.")
    if owner is None:
        raise NotFound(gettext("Cette ferme n'existe pas.") if kind == AVAILABILITY else
                       gettext("Cette cantine n'existe pas."))  # fmt: skip
    if actor is not None and _role(actor) != Role.LEAD and not allowed:
        raise Forbidden(refusal)
    return owner.name


def _entry_days(kind: str, week: DeliveryWeek, owner_id: int) -> list[dt.date]:
    if kind == AVAILABILITY:
        return list(delivery_days(week))
    canteen = get_session().get(Canteen, owner_id)
    assert canteen is not None
    return list(canteen_delivery_days(canteen, week))


def entry_template_data(
    kind: str, iso_week: str, owner_id: int, actor: Actor = None
) -> EntryTemplateData:
    """Gather the template of a farm's availability or a canteen's orders, pre-filled."""
    if kind not in ENTRY_SHEETS:
        raise NotFound(gettext("Modèle inconnu."))
    owner_name = _require_owner(actor, kind, owner_id)
    week = get_week(iso_week)
    session = get_session()
    if kind == AVAILABILITY:
        existing: list[tuple[Product, dt.date | None, Decimal, str | None]] = [
            (line.product, line.day, line.quantity, line.note)
            for line in session.scalars(
                select(AvailabilityLine).where(
                    AvailabilityLine.week_id == week.id, AvailabilityLine.farm_id == owner_id
                )
            )
        ]
    else:
        existing = [
            (line.product, line.day, line.quantity, line.note)
            for line in session.scalars(
                select(OrderLine).where(
                    OrderLine.week_id == week.id, OrderLine.canteen_id == owner_id
                )
            )
        ]
    catalogue = {product.slug: product_info(product) for product in products_in_season(week)}
    for product, *_ in existing:
        catalogue.setdefault(product.slug, product_info(product))
    lines = sorted(
        (EntryLine(product.slug, day, quantity, note) for product, day, quantity, note in existing),
        key=lambda line: (catalogue[line.product_slug].name, line.day or dt.date.min),
    )
    return EntryTemplateData(
        kind=kind,
        iso_week=week.iso_week,
        week_label=week_label(week.iso_week, week.monday_date),
        owner_id=owner_id,
        owner_name=owner_name,
        products=sorted(catalogue.values(), key=lambda product: product.label),
        days=_entry_days(kind, week, owner_id),
        lines=lines,
    )


def export_entry_template(
    kind: str, iso_week: str, owner_id: int, stream: IO[bytes], actor: Actor = None
) -> EntryTemplateData:
    """Write the availability or order template to ``stream``; return what it holds."""
    data = entry_template_data(kind, iso_week, owner_id, actor)
    write_entry_template(data, stream)
    return data


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: the file's kind, week, owner and the weekly service's report."""

    kind: str
    iso_week: str
    owner_name: str
    summary: str  # the French summary of the save
    saved: int


def refusal_error(error: UploadRefused) -> InvalidInput:
    """Turn a refused file into an InvalidInput listing every problem by place."""
    field_errors: dict[str, list[str]] = {}
    for index, problem in enumerate(error.problems, start=1):
        place = ", ".join(
            part
            for part in (
                problem.sheet,
                gettext("ligne %(row)s", row=problem.row) if problem.row else None,
                gettext("colonne %(column)s", column=problem.column) if problem.column else None,
            )
            if part
        )
        field_errors.setdefault(place or gettext("fichier (%(index)s)", index=index), []).append(
            problem.describe()
        )
    count = len(error.problems)
    head = gettext("Un problème") if count == 1 else gettext("%(count)s problèmes", count=count)
    return InvalidInput(
        gettext("Fichier non importé, rien n'a été enregistré. %(head)s à corriger : ", head=head)
        + error.problems[0].describe(),
        field_errors,
    )


def _quantity_parser(text: str) -> Decimal | None:
    """Parse a typed quantity with the weekly forms' rules, as a ValueError when refused."""
    try:
        return parse_quantity(text)
    except InvalidInput as error:
        messages = [message for items in error.field_errors.values() for message in items]
        raise ValueError(messages[0] if messages else str(error)) from None


def import_entry_file(
    content: bytes,
    actor: Actor,
    expected_kind: str | None = None,
    limits: UploadLimits | None = None,
) -> ImportReport:
    """Validate a whole availability or order file, then save all its lines at once."""
    try:
        raw = load_entry_workbook(content, limits)
    except UploadRefused as error:
        raise refusal_error(error) from None
    if expected_kind is not None and raw.kind != expected_kind:
        raise InvalidInput(
            gettext(
                "Ce fichier est un modèle de %(kind_labels)s, pas de %(kind_labels_2)s : rien n'a "
                "été enregistré.",
                kind_labels=KIND_LABELS[raw.kind],
                kind_labels_2=KIND_LABELS[expected_kind],
            ),
            {"fichier": [gettext("Mauvais type de modèle.")]},
        )
    owner_name = _require_owner(actor, raw.kind, raw.owner_id)
    week = get_week(raw.iso_week)
    catalogue = [
        product_info(product)
        for product in get_session().scalars(select(Product).where(Product.is_active.is_(True)))
    ]
    try:
        parsed = validate_entry_rows(
            raw, catalogue, _entry_days(raw.kind, week, raw.owner_id), _quantity_parser
        )
    except UploadRefused as error:
        raise refusal_error(error) from None
    product_ids: dict[str, int] = {
        slug: product_id
        for slug, product_id in get_session().execute(select(Product.slug, Product.id)).tuples()
    }
    sheet = ENTRY_SHEETS[raw.kind]

    def row_label(line: EntryLine) -> str:
        """Name a line in the weekly service's errors: « Disponibilités, ligne 12 »."""
        return str(gettext("%(sheet)s, ligne %(row)s", sheet=sheet, row=line.row))

    if raw.kind == AVAILABILITY:
        report = save_availability(
            actor,
            raw.owner_id,
            week.iso_week,
            [
                AvailabilityInput(
                    product_id=product_ids[line.product_slug],
                    quantity=line.quantity,
                    day=line.day,
                    note=line.note,
                    row=row_label(line),
                )
                for line in parsed.lines
            ],
        )
    else:
        order_inputs = []
        for line in parsed.lines:
            assert line.day is not None  # validate_entry_rows refuses order lines without a day
            order_inputs.append(
                OrderInput(
                    product_id=product_ids[line.product_slug],
                    day=line.day,
                    quantity=line.quantity,
                    note=line.note,
                    row=row_label(line),
                )
            )
        report = save_orders(actor, raw.owner_id, week.iso_week, order_inputs)
    return ImportReport(raw.kind, week.iso_week, owner_name, report.describe(), report.saved)


def find_user(email: str) -> User:
    """Return the active user with this e-mail address, for command-line imports."""
    user = get_session().scalar(
        select(User).where(User.email_lower == email.strip().lower(), User.is_active.is_(True))
    )
    if user is None:
        raise NotFound(gettext("Aucun compte actif pour « %(email)s ».", email=email))
    return user


def default_lead() -> User:
    """Return the first active lead account, the actor of command-line imports by default."""
    user = get_session().scalar(
        select(User)
        .where(User.role == Role.LEAD, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if user is None:
        raise NotFound(gettext("Aucun compte responsable actif : indiquez --utilisateur."))
    return user
