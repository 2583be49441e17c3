"""The replace-all save that offers, orders and standing orders share.

A save replaces an owner's lines (a farm's offer of a week, a canteen's orders of a week, a
canteen's standing order) by the lines sent, atomically: check who saves and the version read,
check every line (:func:`validated_lines`, refusing with each row named), update, delete and
add lines (:func:`replace_lines`), then audit and commit (:func:`commit_save`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from babel.dates import format_date
from flask_babel import get_locale, gettext, ngettext
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.i18n import collation_key, unit_label
from pial.models import AvailabilityLine, Canteen, DeliveryWeek, Farm, OrderLine, Product, Role
from pial.weeks.calendar import EditWindow, format_deadline, normalise_iso_week
from pial.weeks.parsing import parse_quantity

# --- Reports and refusals --------------------------------------------------------------------


def _plural_count(number: int) -> int:
    """Return the count to give ``ngettext``: French keeps the singular for 0 (« 0 produit »)."""
    if number == 0 and str(get_locale() or "fr").startswith("fr"):
        return 1
    return number


def _saved_text(kind: str, number: int) -> str:
    """Return « 12 produits enregistrés » for a kind of save, in the user's language."""
    n = _plural_count(number)
    if kind == "offer":
        return str(
            ngettext(
                "%(count)d produit enregistré", "%(count)d produits enregistrés", n, count=number
            )
        )
    if kind == "order":
        return str(
            ngettext(
                "%(count)d ligne de commande enregistrée",
                "%(count)d lignes de commande enregistrées",
                n,
                count=number,
            )
        )
    return str(
        ngettext(
            "%(count)d ligne permanente enregistrée",
            "%(count)d lignes permanentes enregistrées",
            n,
            count=number,
        )
    )


def _counted_text(kind: str, word: str, number: int) -> str:
    """Return « 3 retirés », « 1 nouvelle »…, agreeing with the kind's noun (offers: masculine)."""
    n = _plural_count(number)
    if kind == "offer":
        if word == "removed":
            return str(ngettext("%(count)d retiré", "%(count)d retirés", n, count=number))
        if word == "created":
            return str(ngettext("%(count)d nouveau", "%(count)d nouveaux", n, count=number))
        return str(ngettext("%(count)d modifié", "%(count)d modifiés", n, count=number))
    if word == "removed":
        return str(ngettext("%(count)d retirée", "%(count)d retirées", n, count=number))
    if word == "created":
        return str(ngettext("%(count)d nouvelle", "%(count)d nouvelles", n, count=number))
    return str(ngettext("%(count)d modifiée", "%(count)d modifiées", n, count=number))


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What a save did: lines now saved, created, updated, unchanged, removed; the new version."""

    kind: str  # "offer", "order" or "standing"
    saved: int  # lines with a quantity after the save
    created: int
    updated: int
    unchanged: int
    removed: int
    version: str
    skipped: tuple[str, ...] = ()  # French notes on lines left out (e.g. out of season)

    @property
    def changed(self) -> bool:
        """Tell whether anything was written."""
        return bool(self.created or self.updated or self.removed)

    def describe(self) -> str:
        """Return the French summary shown after a save (« 12 produits enregistrés, 3 retirés »)."""
        text = _saved_text(self.kind, self.saved)
        if self.removed:
            text += ", " + _counted_text(self.kind, "removed", self.removed)
        if not self.changed:
            text = gettext("Aucun changement : %(text)s", text=text)
        elif self.created or self.updated:
            details = []
            if self.created:
                details.append(_counted_text(self.kind, "created", self.created))
            if self.updated:
                details.append(_counted_text(self.kind, "updated", self.updated))
            text += gettext(" (dont %(details)s)", details=", ".join(details))
        if self.skipped:
            text += gettext(". Non repris : %(skipped)s", skipped=" ; ".join(self.skipped))
        return text + "."


class StaleVersion(Conflict):
    """The farm's offer or canteen's order changed since the page was loaded."""

    def __init__(
        self,
        message: str,
        *,
        current_version: str,
        changed_by: str | None,
        changed_dt: dt.datetime | None,
        current_quantities: dict[tuple[int, dt.date | None], Decimal],
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_dt = changed_dt
        self.current_quantities = current_quantities


def quantity_text(quantity: Decimal) -> str:
    """Return a canonical text of a quantity (12.500 and 12.5 read the same)."""
    return format(quantity.normalize(), "f")


def weekday_name(day: dt.date) -> str:
    """Return the weekday in the user's language (lundi, Monday)."""
    return format_date(day, format="EEEE", locale=str(get_locale() or "fr"))


def _month_name(month: int) -> str:
    """Return the month in the user's language (novembre, November)."""
    return format_date(dt.date(2000, month, 1), format="LLLL", locale=str(get_locale() or "fr"))


def _describe_lines(lines: Sequence[AvailabilityLine | OrderLine]) -> str:
    """Return « Carotte 15 kg, Poireau 8 kg… » for a conflict message."""
    parts = []
    for line in sorted(
        lines, key=lambda ln: (collation_key(ln.product.name_fr), ln.day or dt.date.min)
    ):
        day = f" ({weekday_name(line.day)})" if line.day else ""
        unit = unit_label(line.product, line.quantity)
        parts.append(f"{line.product.name_fr}{day} {quantity_text(line.quantity)} {unit}")
    if not parts:
        return str(gettext("plus aucune ligne"))
    shown = ", ".join(parts[:8])
    return shown + ("…" if len(parts) > 8 else "")


def refuse_stale(
    lines: Sequence[AvailabilityLine | OrderLine],
    what: str,
    version: str,
    expected_version: str | None,
) -> None:
    """Refuse a save read at a version that is no longer ``version`` (None: no check asked).

    The StaleVersion raised tells who changed ``what`` meanwhile, when, and its current lines.
    """
    if expected_version is None or expected_version == version:
        return
    latest = max(lines, key=lambda ln: ln.updated_dt, default=None)
    who = latest.updated_by.display_name if latest and latest.updated_by else None
    when = latest.updated_dt if latest else None
    by_whom = (
        gettext("%(who)s a modifié %(what)s", who=who, what=what)
        if who
        else gettext("%(capitalize)s a été modifiée", capitalize=what.capitalize())
    )
    at = gettext(" le %(when)s", when=format_deadline(when)) if when else ""
    raise StaleVersion(
        gettext(
            "Vos modifications n'ont pas été enregistrées : %(by_whom)s%(at)s pendant que vous la "
            "saisissiez. Valeurs actuelles : %(lines)s. Vos saisies sont conservées ci-dessous : "
            "vérifiez-les puis enregistrez à nouveau.",
            by_whom=by_whom,
            at=at,
            lines=_describe_lines(lines),
        ),
        current_version=version,
        changed_by=who,
        changed_dt=when,
        current_quantities={(ln.product_id, ln.day): ln.quantity for ln in lines},
    )


# --- Versions --------------------------------------------------------------------------------


def content_version(rows: Iterable[tuple[int, dt.date | int | None, Decimal, str | None]]) -> str:
    """Return a short token of (product, day, quantity, note) rows: equal iff contents equal."""
    canonical = sorted(
        f"{product_id}|{'' if day is None else day}|{quantity_text(quantity)}|{note or ''}"
        for product_id, day, quantity, note in rows
    )
    return hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()[:16]


def day_lines_version(lines: Sequence[AvailabilityLine | OrderLine]) -> str:
    """Return the version token of a farm's offer or a canteen's orders of a week."""
    return content_version((ln.product_id, ln.day, ln.quantity, ln.note) for ln in lines)


# --- Who saves, and which week ---------------------------------------------------------------


def farm_for(session: Session, actor: Actor, farm_id: int) -> Farm:
    """Return the farm, locked for the save, if ``actor`` may act for it."""
    farm = session.scalar(select(Farm).where(Farm.id == farm_id).with_for_update())
    if farm is None:
        raise NotFound(gettext("Cette ferme n'existe pas."))
    if (
        actor is None
        or actor.role == Role.LEAD
        or (actor.role == Role.GROWER and actor.farm_id == farm.id)
    ):
        return farm
    raise Forbidden(gettext("Vous ne pouvez modifier que l'offre de votre propre ferme."))


def canteen_for(session: Session, actor: Actor, canteen_id: int) -> Canteen:
    """Return the canteen, locked for the save, if ``actor`` may act for it."""
    canteen = session.scalar(select(Canteen).where(Canteen.id == canteen_id).with_for_update())
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    if (
        actor is None
        or actor.role == Role.LEAD
        or (actor.role == Role.CANTEEN and actor.canteen_id == canteen.id)
    ):
        return canteen
    raise Forbidden(gettext("Vous ne pouvez modifier que les commandes de votre propre cantine."))


def existing_week_for_edit(session: Session, iso_week: str, what: str) -> DeliveryWeek:
    """Return the week of a save, refusing when it does not exist yet."""
    label = normalise_iso_week(iso_week)
    week = session.scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == label))
    if week is None:
        number = int(label.split("-W")[1])
        raise Conflict(
            gettext(
                "La semaine %(number)s n'est pas encore ouverte : les %(what)s ne sont pas "
                "possibles.",
                number=number,
                what=what,
            )
        )
    return week


def week_open_to(
    session: Session,
    actor: Actor,
    iso_week: str,
    window_of: Callable[[DeliveryWeek, Actor], EditWindow],
    what: str,
) -> DeliveryWeek:
    """Return the week of a save if ``actor`` may still change its ``what`` (offres, commandes)."""
    week = existing_week_for_edit(session, iso_week, what)
    window = window_of(week, actor)
    if not window.editable:
        raise Conflict(window.reason or "")
    return week


_DayLineT = TypeVar("_DayLineT", AvailabilityLine, OrderLine)


def fresh_lines(
    session: Session, query: Select[tuple[_DayLineT]], product: Any, with_products: bool
) -> list[_DayLineT]:
    """Run a query of offer or order lines, refreshing the lines the session already holds.

    populate_existing: lines a page read before the save's row lock are refreshed, so the
    save compares and edits what is in the database now, not a stale copy. Readers that list
    each line's product get them in the same query.
    """
    query = query.execution_options(populate_existing=True)
    if with_products:
        query = query.options(joinedload(product))
    return list(session.scalars(query))


# --- Checking the lines sent -----------------------------------------------------------------


class LineInput(Protocol):
    """What every input line of a save has: a product, a quantity, a note, its row's name."""

    @property
    def product_id(self) -> int: ...

    @property
    def quantity(self) -> Decimal: ...

    @property
    def note(self) -> str | None: ...

    @property
    def row(self) -> str | None: ...


_InputT = TypeVar("_InputT", bound=LineInput)
_KeyT = TypeVar("_KeyT", bound=Hashable)
_ValueT = TypeVar("_ValueT")


def season_error(product: Product, months: set[int]) -> str | None:
    """Return why ``product`` cannot be offered/ordered in ``months``, or None."""
    if not product.is_active:
        return str(gettext("« %(name_fr)s » n'est plus au catalogue.", name_fr=product.name_fr))
    if not any(product.is_in_season(month) for month in months):
        month_text = " / ".join(_month_name(m) for m in sorted(months))
        return str(
            gettext(
                "« %(name_fr)s » n'est pas de saison en %(month_text)s.",
                name_fr=product.name_fr,
                month_text=month_text,
            )
        )
    return None


def twice_the_same_day(product: Product) -> str:
    """Return « « Carotte » figure deux fois le même jour. »."""
    return str(gettext("« %(name_fr)s » figure deux fois le même jour.", name_fr=product.name_fr))


def clean_note(note: str | None) -> str | None:
    """Return the note without surrounding blanks, None when nothing is left."""
    return (note or "").strip() or None


def _validated_quantity(value: Any, row: str, errors: dict[str, list[str]]) -> Decimal | None:
    """Return the quantity of a line, recording a French error for the row if it is invalid."""
    try:
        return parse_quantity(value, field=row)
    except InvalidInput as error:
        for messages in error.field_errors.values():
            for message in messages:
                errors.setdefault(row, []).append(message)
        return None


def _errors_summary(errors: dict[str, list[str]]) -> str:
    """Return the French headline of a refused save."""
    count = len(errors)
    head = (
        gettext("Une ligne est à corriger")
        if count == 1
        else gettext("%(count)s lignes sont à corriger", count=count)
    )
    first = next(iter(errors.values()))[0]
    return str(gettext("%(head)s ; rien n'a été enregistré. %(first)s", head=head, first=first))


def validated_lines(
    session: Session,
    lines: Sequence[_InputT],
    *,
    refusal: Callable[[_InputT, Product], str | None],
    key: Callable[[_InputT], _KeyT],
    value: Callable[[_InputT, Decimal], _ValueT],
    duplicate: Callable[[Product], str],
) -> dict[_KeyT, _ValueT]:
    """Check every input line; return the wanted lines by ``key``, or raise InvalidInput.

    A zero quantity asks for no line (whatever the product's season). ``refusal`` tells why a
    line of a known product with a quantity cannot be saved (wrong day, out of season), or
    None; ``duplicate`` words a second line with the same key. InvalidInput names each row.
    """
    errors: dict[str, list[str]] = {}
    desired: dict[_KeyT, _ValueT] = {}
    ids = {line.product_id for line in lines}
    products = (
        {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
        if ids
        else {}
    )
    for index, line in enumerate(lines, start=1):
        row = line.row or gettext("ligne %(index)s", index=index)
        quantity = _validated_quantity(line.quantity, row, errors)
        product = products.get(line.product_id)
        if product is None:
            errors.setdefault(row, []).append(
                gettext(
                    "%(row)s : produit inconnu (n° %(product_id)s).",
                    row=row,
                    product_id=line.product_id,
                )
            )
            continue
        if quantity is None or quantity == 0:
            continue  # zero removes the line, whatever the season
        problem = refusal(line, product)
        if problem is None and key(line) in desired:
            problem = duplicate(product)
        if problem:
            errors.setdefault(row, []).append(problem)
            continue
        desired[key(line)] = value(line, quantity)
    if errors:
        raise InvalidInput(_errors_summary(errors), errors)
    return desired


# --- Writing them ----------------------------------------------------------------------------


@dataclass(slots=True)
class Changes:
    """Counters of a replace-all save."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        """Tell whether the save writes anything."""
        return bool(self.created or self.updated or self.removed)


_LineT = TypeVar("_LineT")


def replace_lines(
    session: Session,
    existing: Sequence[_LineT],
    desired: Mapping[_KeyT, _ValueT],
    *,
    key: Callable[[_LineT], _KeyT],
    update: Callable[[_LineT, _ValueT], bool],
    create: Callable[[_KeyT, _ValueT], _LineT],
) -> Changes:
    """Update, delete and add lines so that the owner's lines are exactly ``desired``.

    ``update`` gives a kept line its wanted values and tells whether any changed; ``create``
    makes the line of a new key.
    """
    changes = Changes()
    remaining = dict(desired)
    for line in existing:
        wanted = remaining.pop(key(line), None)
        if wanted is None:
            session.delete(line)
            changes.removed += 1
        elif update(line, wanted):
            changes.updated += 1
        else:
            changes.unchanged += 1
    session.flush()  # deletions first, so re-added keys never clash with the unique indexes
    for line_key, wanted in remaining.items():
        session.add(create(line_key, wanted))
        changes.created += 1
    session.flush()
    return changes


def update_quantity_and_note(
    actor: Actor,
) -> Callable[[AvailabilityLine | OrderLine, tuple[Decimal, str | None]], bool]:
    """Return the ``update`` of :func:`replace_lines` for offer and order lines, by ``actor``."""

    def update(line: AvailabilityLine | OrderLine, wanted: tuple[Decimal, str | None]) -> bool:
        if (line.quantity, line.note) == wanted:
            return False
        line.quantity, line.note = wanted
        line.updated_by_id = actor.id if actor else None
        return True

    return update


def week_lines_audit(
    week: DeliveryWeek, lines: Sequence[AvailabilityLine | OrderLine]
) -> dict[str, Any]:
    """Return {"iso_week": …, "lines": {"product_id@day": quantity}} for the audit log."""
    snapshot = {f"{ln.product_id}@{ln.day or '*'}": quantity_text(ln.quantity) for ln in lines}
    return {"iso_week": week.iso_week, "lines": snapshot}


def commit_save(
    actor: Actor,
    action: str,
    owner: Farm | Canteen,
    changes: Changes,
    *,
    kind: str,
    saved: int,
    version: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> SaveReport:
    """Audit a replace-all save that changed something, commit it and report what it did."""
    if changes.changed:
        record_audit(actor, action, owner, before=before, after=after)
    get_session().commit()
    return SaveReport(
        kind=kind,
        saved=saved,
        created=changes.created,
        updated=changes.updated,
        unchanged=changes.unchanged,
        removed=changes.removed,
        version=version,
    )
