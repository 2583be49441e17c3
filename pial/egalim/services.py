"""EGalim services: ma-cantine purchase exports (logged), other purchases, yearly figures.

The one module of the package that touches the database. Every delivered line, its quantity
and its price come from :func:`pial.published.sales.sales_between`, the source of the canteens'
statements: a line counts what the canteen recorded as received (else the planned quantity)
at the price it is charged (its contract's, else the group's). Labels come from the delivering
farm's certificates valid on the delivery day; « local » from the line's road distance.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.egalim.figures import Amounts, CanteenYear, MonthFigures
from pial.egalim.macantine import (
    PurchaseFile,
    PurchaseLine,
    PurchaseRowsRefused,
    write_purchase_csv,
)
from pial.egalim.totals import TotalsRefused, read_totals
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.identifiers import siret_error
from pial.models import (
    Canteen,
    CertificationLabel,
    MacantineExport,
    OtherPurchases,
    Role,
    find_platform,
)
from pial.money.statements import month_end, shift_month
from pial.published.sales import Sale, sales_between

MAX_EXPORT_DAYS = 731
DEFAULT_LOCAL_RADIUS_KM = 100


# --- Access ---------------------------------------------------------------------------------------


def require_canteen(actor: Actor, canteen_id: int) -> Canteen:
    """Return the canteen if ``actor`` is the lead, the system or one of its managers."""
    canteen = get_session().get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(_("Cette cantine n'existe pas."))
    if actor is not None and actor.role != Role.LEAD and not (
        actor.role == Role.CANTEEN and actor.canteen_id == canteen.id
    ):
        raise Forbidden(_("Vous ne pouvez voir et déclarer que les achats de votre cantine."))
    return canteen


def require_lead(actor: Actor) -> None:
    """Raise Forbidden unless ``actor`` is the lead or the system."""
    if actor is not None and actor.role != Role.LEAD:
        raise Forbidden(_("Réservé à la personne responsable du projet."))


def check_period(first: dt.date, last: dt.date) -> None:
    """Refuse a period that ends before it starts or spans more than two years."""
    if last < first:
        raise InvalidInput(_("La fin de la période précède son début."),
                           {"au": [_("Date de fin avant le début.")]})  # fmt: skip
    if (last - first).days > MAX_EXPORT_DAYS:
        raise InvalidInput(_("Période trop longue (deux ans au plus)."),
                           {"au": [_("Deux ans au plus.")]})  # fmt: skip


# --- Delivered lines ------------------------------------------------------------------------------


def local_radius_km() -> int:
    """Return the platform's local radius (ma-cantine's ``definition_local_km``)."""
    platform = find_platform(get_session())
    return platform.local_radius_km if platform is not None else DEFAULT_LOCAL_RADIUS_KM


def supplier_name(sale: Sale) -> str:
    """Return the supplier as the file names it: the delivering farm, with its SIRET."""
    farm = sale.line.farm
    return f"{farm.name} (SIRET {farm.siret})" if farm.siret else farm.name


def farm_labels(sale: Sale) -> frozenset[str]:
    """Return the EGalim labels of a sale: the delivering farm's certificates on the day.

    A product the catalogue marks as not organic never carries BIO, even from a certified farm
    (a farm may grow a crop outside its certification); the product never grants a label.
    """
    labels = sale.line.farm.labels_on(sale.day)
    if not sale.line.product.is_organic:
        labels.discard(CertificationLabel.BIO)
    return frozenset(label.value for label in labels)


def purchase_lines(sales: Iterable[Sale], siret: str, radius_km: int) -> list[PurchaseLine]:
    """Return the purchases of a canteen's sales; a line received at zero was not bought."""
    lines = []
    for sale in sorted(sales, key=lambda s: (s.day, s.line.product.name_fr, s.line.farm.name,
                                             s.line.id)):  # fmt: skip
        if sale.quantity <= 0:
            continue
        lines.append(
            PurchaseLine(
                canteen_siret=siret,
                product_name=sale.line.product.name_fr,
                family=sale.line.product.family,
                quantity=sale.quantity,
                unit=str(sale.line.product.unit),
                supplier=supplier_name(sale),
                day=sale.day,
                price_excl_vat_eur=sale.value_eur,
                labels=farm_labels(sale),
                distance_km=sale.line.distance_km,
                local_radius_km=radius_km,
            )
        )
    return lines


def delivered_sales(
    first: dt.date, last: dt.date, canteen_ids: list[int] | None = None
) -> list[Sale]:
    """Return the sales delivered from ``first`` to ``last``, none after today.

    ma-cantine refuses a purchase dated in the future: a published line is a purchase once its
    delivery day has come.
    """
    last = min(last, today_in_paris())
    if last < first:
        return []
    return sales_between(get_session(), first, last, canteen_ids=canteen_ids)


# --- ma-cantine exports ---------------------------------------------------------------------------


class ExportOverlaps(Conflict):
    """The period overlaps files already exported for the canteen(s): confirm to go on."""

    def __init__(self, message: str, exports: list[MacantineExport]) -> None:
        super().__init__(message)
        self.exports = exports


def overlapping_exports(
    canteen_ids: Iterable[int], first: dt.date, last: dt.date
) -> list[MacantineExport]:
    """Return the logged exports of these canteens whose period overlaps ``first``–``last``."""
    return list(
        get_session().scalars(
            select(MacantineExport)
            .where(
                MacantineExport.canteen_id.in_(list(canteen_ids)),
                MacantineExport.first_day <= last,
                MacantineExport.last_day >= first,
            )
            .order_by(MacantineExport.exported_dt.desc(), MacantineExport.id.desc())
        )
    )


def export_history(canteen_id: int, actor: Actor, limit: int = 20) -> list[MacantineExport]:
    """Return the canteen's latest exports, newest first."""
    require_canteen(actor, canteen_id)
    return list(
        get_session().scalars(
            select(MacantineExport)
            .where(MacantineExport.canteen_id == canteen_id)
            .order_by(MacantineExport.exported_dt.desc(), MacantineExport.id.desc())
            .limit(limit)
        )
    )


def _require_siret(canteen: Canteen) -> str:
    """Return the canteen's SIRET, or refuse: ma-cantine files every purchase under it."""
    problem = siret_error(canteen.siret) if canteen.siret else _("SIRET manquant.")
    if problem is not None:
        raise InvalidInput(
            _("La cantine « %(name)s » n'a pas de SIRET valable : ma-cantine range chaque achat "
              "sous le SIRET de l'établissement. Renseignez-le dans la fiche de la cantine.",
              name=canteen.name),
            {"siret": [problem]},
        )  # fmt: skip
    assert canteen.siret is not None
    return canteen.siret


def _written(canteen: Canteen, lines: list[PurchaseLine]) -> PurchaseFile:
    """Write the canteen's file, turning a row that breaks the schema into a French refusal."""
    try:
        return write_purchase_csv(lines)
    except PurchaseRowsRefused as refused:
        messages = refused.describe()
        raise InvalidInput(
            _("Le fichier de « %(name)s » ne respecte pas le format de ma-cantine, rien n'a été "
              "écrit : %(first)s", name=canteen.name, first=messages[0]),
            {"fichier": messages},
        ) from None  # fmt: skip


def _overlap_message(exports: list[MacantineExport]) -> str:
    periods = "; ".join(
        _("%(canteen)s du %(first)s au %(last)s (exporté le %(day)s)",
          canteen=export.canteen.name, first=format(export.first_day, "%d/%m/%Y"),
          last=format(export.last_day, "%d/%m/%Y"),
          day=format(export.exported_dt.date(), "%d/%m/%Y"))
        for export in exports[:5]
    )  # fmt: skip
    return str(
        _("Cette période recouvre des achats déjà exportés : %(periods)s. ma-cantine "
          "n'écarte que les fichiers identiques à l'octet près : importer aussi celui-ci "
          "compterait ces achats deux fois.", periods=periods)
    )  # fmt: skip


def _log(actor: Actor, canteen: Canteen, first: dt.date, last: dt.date,
         written: PurchaseFile) -> MacantineExport:  # fmt: skip
    export = MacantineExport(
        canteen_id=canteen.id, first_day=first, last_day=last, rows=written.rows,
        total_eur=written.total_eur, sha256=written.sha256,
        exported_by_id=getattr(actor, "id", None), exported_dt=now(),
    )  # fmt: skip
    session = get_session()
    session.add(export)
    session.flush()
    record_audit(actor, "egalim.export_macantine", export, after={
        "canteen_id": canteen.id, "first_day": first.isoformat(), "last_day": last.isoformat(),
        "rows": written.rows, "total_eur": str(written.total_eur), "sha256": written.sha256})
    return export


@dataclass(frozen=True, slots=True)
class Export:
    """A written export: the file (or zip) bytes, its name and what was logged."""

    content: bytes
    filename: str
    logged: list[MacantineExport]

    @property
    def rows(self) -> int:
        """Return the number of purchases written."""
        return sum(export.rows for export in self.logged)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40] or "cantine"


def export_macantine(
    canteen_id: int, first: dt.date, last: dt.date, actor: Actor, *,
    confirm_overlap: bool = False,
) -> Export:  # fmt: skip
    """Write and log a canteen's purchases of a period as a ma-cantine import file."""
    check_period(first, last)
    canteen = require_canteen(actor, canteen_id)
    siret = _require_siret(canteen)
    session = get_session()
    try:
        overlaps = overlapping_exports([canteen.id], first, last)
        if overlaps and not confirm_overlap:
            raise ExportOverlaps(_overlap_message(overlaps), overlaps)
        lines = purchase_lines(delivered_sales(first, last, [canteen.id]), siret,
                               local_radius_km())  # fmt: skip
        if not lines:
            raise InvalidInput(
                _("Aucun achat livré à « %(name)s » du %(first)s au %(last)s : rien à exporter.",
                  name=canteen.name, first=format(first, "%d/%m/%Y"),
                  last=format(last, "%d/%m/%Y")),
                {"du": [_("Aucun achat sur la période.")]},
            )  # fmt: skip
        written = _written(canteen, lines)
        logged = _log(actor, canteen, first, last, written)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    filename = f"achats-ma-cantine-{_slug(canteen.name)}-{first}-{last}.csv"
    return Export(written.content, filename, [logged])


def export_all_macantine(
    first: dt.date, last: dt.date, actor: Actor, *, confirm_overlap: bool = False
) -> Export:
    """Write and log one file per canteen that bought in the period, in a zip (the lead)."""
    require_lead(actor)
    check_period(first, last)
    session = get_session()
    try:
        by_canteen: dict[int, list[Sale]] = defaultdict(list)
        for sale in delivered_sales(first, last):
            if sale.quantity > 0:
                by_canteen[sale.line.canteen_id].append(sale)
        canteens = sorted((session.get(Canteen, canteen_id) for canteen_id in by_canteen),
                          key=lambda c: c.name if c else "")  # fmt: skip
        if not canteens:
            raise InvalidInput(
                _("Aucun achat livré du %(first)s au %(last)s : rien à exporter.",
                  first=format(first, "%d/%m/%Y"), last=format(last, "%d/%m/%Y")),
                {"du": [_("Aucun achat sur la période.")]},
            )  # fmt: skip
        missing = [c for c in canteens if c is not None and (
            not c.siret or siret_error(c.siret) is not None)]  # fmt: skip
        if missing:
            raise InvalidInput(
                _("Ces cantines n'ont pas de SIRET valable, rien n'a été exporté : %(names)s.",
                  names=", ".join(c.name for c in missing)),
                {"siret": [c.name for c in missing]},
            )  # fmt: skip
        overlaps = overlapping_exports(by_canteen, first, last)
        if overlaps and not confirm_overlap:
            raise ExportOverlaps(_overlap_message(overlaps), overlaps)
        radius = local_radius_km()
        buffer = io.BytesIO()
        logged = []
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for canteen in canteens:
                assert canteen is not None
                siret = _require_siret(canteen)
                written = _written(
                    canteen, purchase_lines(by_canteen[canteen.id], siret, radius)
                )
                archive.writestr(f"{siret}-{_slug(canteen.name)}-{first}-{last}.csv",
                                 written.content)  # fmt: skip
                logged.append(_log(actor, canteen, first, last, written))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Export(buffer.getvalue(), f"achats-ma-cantine-{first}-{last}.zip", logged)


# --- Figures --------------------------------------------------------------------------------------


def year_through(year: int) -> dt.date:
    """Return the last month counted for ``year``: December, or the current month."""
    today = today_in_paris()
    if year > today.year:
        raise InvalidInput(_("L'année %(year)s n'a pas commencé.", year=year),
                           {"annee": [_("Année à venir.")]})  # fmt: skip
    return dt.date(year, 12, 1) if year < today.year else today.replace(day=1)


def _amounts(lines: list[PurchaseLine]) -> Amounts:
    total = sum((line.price_excl_vat_eur for line in lines), Decimal(0))
    return Amounts(
        total_eur=total,
        egalim_eur=sum((ln.price_excl_vat_eur for ln in lines if ln.egalim), Decimal(0)),
        organic_eur=sum((ln.price_excl_vat_eur for ln in lines if ln.organic), Decimal(0)),
        local_eur=sum((ln.price_excl_vat_eur for ln in lines if ln.local), Decimal(0)),
    )


def _years(canteens: list[Canteen], year: int) -> list[CanteenYear]:
    """Return the figures of ``year`` for each canteen, from one read of the sales."""
    through = year_through(year)
    first = dt.date(year, 1, 1)
    ids = [canteen.id for canteen in canteens]
    radius = local_radius_km()
    lines: dict[tuple[int, dt.date], list[PurchaseLine]] = defaultdict(list)
    by_canteen: dict[int, list[Sale]] = defaultdict(list)
    for sale in delivered_sales(first, month_end(through), ids):
        by_canteen[sale.line.canteen_id].append(sale)
    for canteen_id, sales in by_canteen.items():
        for line in purchase_lines(sales, "", radius):
            lines[(canteen_id, line.day.replace(day=1))].append(line)
    others = {
        (row.canteen_id, row.month): row
        for row in get_session().scalars(
            select(OtherPurchases).where(
                OtherPurchases.canteen_id.in_(ids),
                OtherPurchases.month >= first,
                OtherPurchases.month <= through,
            )
        )
    }
    months = [shift_month(first, index) for index in range(through.month)]
    years = []
    for canteen in canteens:
        figures = []
        for month in months:
            other = others.get((canteen.id, month))
            figures.append(MonthFigures(
                month=month,
                pial=_amounts(lines.get((canteen.id, month), [])),
                other=Amounts(other.total_eur, other.egalim_eur, other.organic_eur,
                              other.local_eur) if other else Amounts(),
                other_entered=other is not None,
            ))  # fmt: skip
        years.append(CanteenYear(canteen.id, canteen.name, year, through, figures))
    return years


def canteen_year(canteen_id: int, year: int, actor: Actor) -> CanteenYear:
    """Return a canteen's EGalim figures of a year, month by month (lead or its managers)."""
    return _years([require_canteen(actor, canteen_id)], year)[0]


def all_canteen_years(year: int, actor: Actor) -> list[CanteenYear]:
    """Return every active canteen's figures of a year, side by side (the lead)."""
    require_lead(actor)
    canteens = sorted_by_name(
        get_session().scalars(select(Canteen).where(Canteen.is_active.is_(True))), lambda c: c.name
    )
    return _years(list(canteens), year)


# --- Other purchases ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OtherPurchasesInput:
    """A month's purchases outside PIAL, as typed or read from a file (``row`` names it)."""

    month: dt.date
    total_eur: Decimal
    egalim_eur: Decimal
    organic_eur: Decimal
    local_eur: Decimal
    note: str | None = None
    row: str | None = None


def other_purchases_problems(entry: OtherPurchasesInput) -> list[str]:
    """Return why a month's totals cannot be saved (French), or an empty list."""
    problems = []
    amounts = (entry.total_eur, entry.egalim_eur, entry.organic_eur, entry.local_eur)
    if any(amount < 0 for amount in amounts):
        problems.append(_("Les montants ne peuvent pas être négatifs."))
    if any(amount >= Decimal("1e10") for amount in amounts):
        problems.append(_("Montant trop grand."))
    if entry.egalim_eur > entry.total_eur:
        problems.append(_("Les achats EGalim ne peuvent pas dépasser le total."))
    if entry.organic_eur > entry.egalim_eur:
        problems.append(_("Les achats bio font partie des achats EGalim : ils ne peuvent pas "
                          "les dépasser."))  # fmt: skip
    if entry.local_eur > entry.total_eur:
        problems.append(_("Les achats locaux ne peuvent pas dépasser le total."))
    if entry.month.day != 1 or not 2000 <= entry.month.year <= 2100:
        problems.append(_("Mois invalide."))
    if entry.month > today_in_paris():
        problems.append(_("Ce mois n'a pas encore commencé."))
    return problems


def save_other_purchases(
    actor: Actor, canteen_id: int, entries: list[OtherPurchasesInput], source: str = "form"
) -> int:
    """Save months of other purchases (each replaces its month): all of them, or none."""
    canteen = require_canteen(actor, canteen_id)
    session = get_session()
    field_errors: dict[str, list[str]] = {}
    for entry in entries:
        problems = other_purchases_problems(entry)
        if problems:
            field_errors.setdefault(entry.row or format(entry.month, "%m/%Y"), []).extend(problems)
    months = [entry.month for entry in entries]
    if len(set(months)) != len(months):
        field_errors.setdefault(_("fichier"), []).append(_("Un même mois figure deux fois."))
    if field_errors:
        first_place, first_problems = next(iter(field_errors.items()))
        raise InvalidInput(
            _("Rien n'a été enregistré. %(place)s : %(problem)s",
              place=first_place, problem=first_problems[0]),
            field_errors,
        )  # fmt: skip
    try:
        existing = {
            row.month: row
            for row in session.scalars(select(OtherPurchases).where(
                OtherPurchases.canteen_id == canteen.id, OtherPurchases.month.in_(months)))
        }  # fmt: skip
        for entry in entries:
            row = existing.get(entry.month)
            before = None
            if row is None:
                row = OtherPurchases(canteen_id=canteen.id, month=entry.month)
                session.add(row)
            else:
                before = {"total_eur": str(row.total_eur), "egalim_eur": str(row.egalim_eur),
                          "organic_eur": str(row.organic_eur), "local_eur": str(row.local_eur)}
            row.total_eur, row.egalim_eur = entry.total_eur, entry.egalim_eur
            row.organic_eur, row.local_eur = entry.organic_eur, entry.local_eur
            row.note = (entry.note or "").strip() or None
            row.source = source
            row.updated_by_id = getattr(actor, "id", None)
            session.flush()
            record_audit(actor, "egalim.save_other_purchases", row, before=before, after={
                "canteen_id": canteen.id, "month": entry.month.isoformat(),
                "total_eur": str(entry.total_eur), "egalim_eur": str(entry.egalim_eur),
                "organic_eur": str(entry.organic_eur), "local_eur": str(entry.local_eur),
                "source": source})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(entries)


def other_purchases_of(canteen_id: int, year: int, actor: Actor) -> list[OtherPurchases]:
    """Return the canteen's entered months of a year, in order."""
    require_canteen(actor, canteen_id)
    return list(get_session().scalars(
        select(OtherPurchases)
        .where(OtherPurchases.canteen_id == canteen_id,
               OtherPurchases.month >= dt.date(year, 1, 1),
               OtherPurchases.month <= dt.date(year, 12, 1))
        .order_by(OtherPurchases.month)
    ))  # fmt: skip


def import_other_purchases(actor: Actor, canteen_id: int, content: bytes) -> int:
    """Save the monthly totals of a file (every month, or none); return the months saved."""
    require_canteen(actor, canteen_id)
    try:
        totals = read_totals(content)
    except TotalsRefused as refused:
        raise InvalidInput(
            _("Fichier non importé, rien n'a été enregistré : %(problem)s",
              problem=refused.problems[0]),
            {"fichier": refused.problems},
        ) from None  # fmt: skip
    entries = [
        OtherPurchasesInput(
            month=item.month, total_eur=item.total_eur, egalim_eur=item.egalim_eur,
            organic_eur=item.organic_eur, local_eur=item.local_eur,
            row=_("ligne %(line)s", line=item.line),
        )
        for item in totals
    ]  # fmt: skip
    return save_other_purchases(actor, canteen_id, entries, source="import")
