"""The project lead's maintenance of the platform: settings, catalogue, prices, farms, canteens."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.editing import apply_edit, create_record
from pial.errors import Conflict, InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.identifiers import siret_error
from pial.models import (
    PLATFORM_ID,
    Canteen,
    CanteenGroup,
    CertificationLabel,
    Farm,
    FarmCertificate,
    Platform,
    Price,
    Product,
    Season,
    User,
    find_platform,
    utcnow,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def get_platform() -> Platform:
    """Return the platform settings row, creating it with the defaults on first use."""
    session = get_session()
    platform = find_platform(session)
    if platform is None:
        platform = Platform(id=PLATFORM_ID, territory_name="Comminges – Pays de Luchon")
        session.add(platform)
        session.commit()
    return platform


def with_checked_siret(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``values`` with its SIRET as 14 digits (None when blank); refuse a wrong one."""
    checked = dict(values)
    if "siret" not in checked:
        return checked
    text = (checked["siret"] or "").strip()
    error = siret_error(text) if text else None
    if error is not None:
        raise InvalidInput(error, {"siret": [error]})
    checked["siret"] = text.replace(" ", "") or None
    return checked


def update_platform(
    actor: User, changes: Mapping[str, Any], expected_version: int | None
) -> dict[str, Any]:
    """Save the platform settings."""
    return apply_edit(
        actor,
        get_platform(),
        with_checked_siret(changes),
        expected_version=expected_version,
        action="platform.update",
    )


def list_farms() -> Sequence[Farm]:
    """Return every farm, active ones first, by name."""
    farms = sorted_by_name(get_session().scalars(select(Farm)), lambda farm: farm.name)
    return sorted(farms, key=lambda farm: not farm.is_active)


def list_canteens() -> Sequence[Canteen]:
    """Return every canteen, active ones first, by name."""
    canteens = sorted_by_name(get_session().scalars(select(Canteen)), lambda c: c.name)
    return sorted(canteens, key=lambda canteen: not canteen.is_active)


def list_products() -> Sequence[Product]:
    """Return the catalogue by name."""
    return sorted_by_name(get_session().scalars(select(Product)), lambda p: p.name_fr)


def list_users() -> Sequence[User]:
    """Return every account by role then name."""
    return get_session().scalars(select(User).order_by(User.role, User.display_name)).all()


def get_record(model: type[Any], record_id: int) -> Any:
    """Return the record of ``model`` with ``record_id`` or raise NotFound."""
    record = get_session().get(model, record_id)
    if record is None:
        raise NotFound(_("Cette fiche n'existe pas (ou plus)."))
    return record


def save_farm(
    actor: User, farm_id: int | None, values: Mapping[str, Any], expected_version: int | None
) -> Farm:
    """Create or update a farm."""
    values = with_checked_siret(values)
    if farm_id is None:
        farm: Farm = create_record(actor, Farm(**values), action="farm.create")
        return farm
    farm = get_record(Farm, farm_id)
    apply_edit(actor, farm, values, expected_version=expected_version, action="farm.update")
    return farm


def add_certificate(actor: Actor, farm_id: int, values: Mapping[str, Any]) -> FarmCertificate:
    """Record a farm's certificate for a label over its period of validity."""
    farm = get_record(Farm, farm_id)
    valid_from, valid_until = values["valid_from"], values.get("valid_until")
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(
            _("Le certificat n'a pas été ajouté : sa fin de validité précède son début."),
            {"valid_until": [_("Au plus tôt le jour de début de validité.")]},
        )
    certificate = FarmCertificate(
        farm=farm,
        label=CertificationLabel(values["label"]),
        body=values["body"].strip(),
        number=values["number"].strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        in_conversion=bool(values.get("in_conversion")),
    )
    added: FarmCertificate = create_record(actor, certificate, action="farm.add_certificate")
    return added


def delete_certificate(actor: Actor, farm_id: int, certificate_id: int) -> None:
    """Delete a certificate entered by mistake (an expired one stays: past deliveries need it)."""
    session = get_session()
    certificate = session.get(FarmCertificate, certificate_id)
    if certificate is None or certificate.farm_id != farm_id:
        raise NotFound(_("Ce certificat n'existe pas (ou plus)."))
    record_audit(
        actor,
        "farm.delete_certificate",
        certificate,
        before={"label": str(certificate.label), "number": certificate.number,
                "valid_from": certificate.valid_from.isoformat()},
    )
    session.delete(certificate)
    session.commit()


def _checked_invoiced_group(canteen_id: int | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``values`` with its « Facturé à » as a group id (None: the canteen itself).

    Refuse a group of which the canteen is not a member (a new canteen belongs to none yet).
    """
    checked = dict(values)
    if "invoiced_group_id" not in checked:
        return checked
    raw = checked["invoiced_group_id"]
    text = "" if raw is None else str(raw).strip()
    if not text:
        checked["invoiced_group_id"] = None
        return checked
    group = get_session().get(CanteenGroup, int(text)) if text.isdigit() else None
    if group is None or canteen_id is None or all(c.id != canteen_id for c in group.canteens):
        message = _(
            "Facturé à : la cantine n'est pas membre de ce groupement ; choisissez la cantine "
            "elle-même ou un groupement dont elle est membre (page Groupements de cantines)."
        )
        raise InvalidInput(message, {"invoiced_group_id": [message]})
    checked["invoiced_group_id"] = group.id
    return checked


def save_canteen(
    actor: User, canteen_id: int | None, values: Mapping[str, Any], expected_version: int | None
) -> Canteen:
    """Create or update a canteen (its payer, if not itself, is one of its groups)."""
    values = _checked_invoiced_group(canteen_id, with_checked_siret(values))
    if canteen_id is None:
        canteen: Canteen = create_record(actor, Canteen(**values), action="canteen.create")
        return canteen
    canteen = get_record(Canteen, canteen_id)
    apply_edit(actor, canteen, values, expected_version=expected_version, action="canteen.update")
    return canteen


def list_canteen_groups() -> Sequence[CanteenGroup]:
    """Return every group of canteens by name."""
    return sorted_by_name(get_session().scalars(select(CanteenGroup)), lambda g: g.name)


GROUP_FIELDS = ("name", "siret", "address", "note")


def save_canteen_group(
    actor: User,
    group_id: int | None,
    values: Mapping[str, Any],
    canteen_ids: Sequence[Any],
    *,
    seen: str | None = None,
) -> CanteenGroup:
    """Create or update a group of canteens: name, SIRET, address, note and members.

    Refuse (writing nothing) a wrong SIRET, a name already used, an unknown canteen, removing
    a member whose invoices this group pays (change its « Facturé à » first), or an edit of a
    group saved by somebody else since ``seen`` (its ``updated_dt`` as the form read it: the
    group has no ``version_id`` column, so every save below moves ``updated_dt`` on).
    """
    session = get_session()
    if group_id is not None and seen is not None:
        current = get_record(CanteenGroup, group_id)
        if current.updated_dt.isoformat() != seen:
            members_now = ", ".join(sorted(c.name for c in current.canteens)) or "—"
            raise Conflict(
                _(
                    "Quelqu'un d'autre a modifié ce groupement pendant que vous le modifiiez ; "
                    "rien n'a été enregistré. Valeurs actuelles : nom : %(name)s, SIRET : "
                    "%(siret)s, cantines membres : %(members)s. Rechargez la page pour reprendre "
                    "à partir de ces valeurs.",
                    name=current.name, siret=current.siret or "—", members=members_now,
                )
            )
    values = with_checked_siret({name: values[name] for name in GROUP_FIELDS if name in values})
    values["name"] = str(values.get("name") or "").strip()
    if not values["name"]:
        message = _("Nom du groupement : obligatoire.")
        raise InvalidInput(message, {"name": [message]})
    duplicate = session.scalar(select(CanteenGroup.id).where(CanteenGroup.name == values["name"]))
    if duplicate is not None and duplicate != group_id:
        message = _("Nom du groupement : « %(name)s » est déjà utilisé.", name=values["name"])
        raise InvalidInput(message, {"name": [message]})
    wanted_ids = {int(i) for i in canteen_ids if str(i).isdigit()}
    members = list(session.scalars(select(Canteen).where(Canteen.id.in_(wanted_ids))))
    if len(members) != len(wanted_ids) or len(wanted_ids) != len(set(map(str, canteen_ids))):
        message = _("Cantines membres : une des cantines cochées n'existe pas (ou plus).")
        raise InvalidInput(message, {"canteen_ids": [message]})
    group: CanteenGroup | None = (
        get_record(CanteenGroup, group_id) if group_id is not None else None
    )
    if group is not None:
        leaving = [c for c in group.canteens if c.id not in wanted_ids
                   and c.invoiced_group_id == group.id]
        if leaving:
            message = _(
                "Cantines membres : %(names)s est facturée à ce groupement ; sur sa fiche, "
                "choisissez d'abord un autre « Facturé à » avant de la retirer.",
                names=", ".join(c.name for c in leaving),
            )
            raise InvalidInput(message, {"canteen_ids": [message]})
    members = sorted_by_name(members, lambda c: c.name)
    if group is None:
        created: CanteenGroup = CanteenGroup(**values, canteens=members)
        session.add(created)
        session.flush()
        record_audit(actor, "canteen_group.create", created,
                     after={**values, "id": created.id, "canteen_ids": sorted(wanted_ids)})
        session.commit()
        return created
    before = {**{name: getattr(group, name) for name in values},
              "canteen_ids": sorted(c.id for c in group.canteens)}
    after = {**values, "canteen_ids": sorted(wanted_ids)}
    changed = {name: value for name, value in after.items() if before[name] != value}
    if changed:
        for name in values:
            setattr(group, name, values[name])
        group.canteens = members
        group.updated_dt = utcnow()  # a change of members alone does not touch the row
        record_audit(actor, "canteen_group.update", group,
                     before={k: before[k] for k in changed}, after=changed)
        session.commit()
    return group


def save_product(
    actor: User, product_id: int | None, values: Mapping[str, Any], expected_version: int | None
) -> Product:
    """Create or update a product, refusing a malformed or duplicate code."""
    session = get_session()
    slug = str(values.get("slug", ""))
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(
            _(
                "Code invalide : minuscules, chiffres et tirets uniquement (ex. « pomme-de-terre "
                "»)."
            ),
            {"slug": [_("Code invalide.")]},
        )
    duplicate = session.scalar(select(Product.id).where(Product.slug == slug))
    if duplicate is not None and duplicate != product_id:
        raise InvalidInput(
            _("Le code « %(slug)s » est déjà utilisé.", slug=slug),
            {"slug": [_("Code déjà utilisé.")]},
        )
    if product_id is None:
        product: Product = create_record(actor, Product(**values), action="product.create")
        return product
    product = get_record(Product, product_id)
    apply_edit(actor, product, values, expected_version=expected_version, action="product.update")
    return product


@dataclass(frozen=True, slots=True)
class PriceRow:
    """A product with its price (if any) in the season shown."""

    product: Product
    price: Price | None


def list_seasons() -> Sequence[Season]:
    """Return the seasons, the latest first."""
    return get_session().scalars(select(Season).order_by(Season.start_date.desc())).all()


def season_price_rows(season_id: int) -> list[PriceRow]:
    """Return every active product with its price in the season."""
    session = get_session()
    prices = {
        price.product_id: price
        for price in session.scalars(select(Price).where(Price.season_id == season_id))
    }
    return [
        PriceRow(product, prices.get(product.id))
        for product in list_products()
        if product.is_active or product.id in prices
    ]


def save_price(
    actor: User,
    season_id: int,
    product_id: int,
    components: Mapping[str, Decimal],
    expected_version: int | None,
) -> Price:
    """Set the price components of a product for a season (their sum is the group price)."""
    session = get_session()
    get_record(Season, season_id)
    get_record(Product, product_id)
    price = session.scalar(
        select(Price).where(Price.season_id == season_id, Price.product_id == product_id)
    )
    if price is None:
        created: Price = create_record(
            actor,
            Price(season_id=season_id, product_id=product_id, **components),
            action="price.create",
        )
        return created
    apply_edit(actor, price, components, expected_version=expected_version, action="price.update")
    return price


def set_user_active(actor: User, user_id: int, active: bool) -> User:
    """Activate or deactivate an account (a lead cannot deactivate themself)."""
    user: User = get_record(User, user_id)
    if user.id == actor.id and not active:
        raise InvalidInput(_("Vous ne pouvez pas désactiver votre propre compte."))
    changes: dict[str, object] = {"is_active": active}
    if not active:  # every session and remember cookie of the account ends with it
        changes["session_generation"] = (user.session_generation or 0) + 1
    apply_edit(actor, user, changes, expected_version=None, action="user.activation")
    return user
