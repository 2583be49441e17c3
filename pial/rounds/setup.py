"""Setting the rounds up: vehicles, collection points, canteens' delivery windows, road distances.

The lead keeps every table; a grower keeps the vans of their own farm (capacity, free hours,
driver, the weekdays they refuse to drive). Each ``save_*`` takes the texts of its form (a
decimal comma, « 5:00 » or « 5h30 » for an hour), reads and checks all of them first, and
writes nothing unless every field is right: one refusal names every wrong field in French.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.editing import apply_edit, create_record
from pial.errors import Forbidden, InvalidInput, NotFound
from pial.fields import normalise_number_text
from pial.models import (
    Canteen,
    CollectionPoint,
    DeliveryWindow,
    Farm,
    RoadDistance,
    Role,
    Vehicle,
)
from pial.models.rounds import DAY_MIN

# A grower's new van: the standard van the rounds assume for a farm without one (see seam).
NEW_VAN_KG = Decimal(600)
NEW_VAN_CRATES = 40
WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")
_HOUR = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?$")

LABELS = {
    "name": _l("Nom"),
    "farm_id": _l("Ferme"),
    "depot_lat": _l("Latitude du dépôt"),
    "depot_lon": _l("Longitude du dépôt"),
    "capacity_kg": _l("Capacité (kg)"),
    "capacity_crates": _l("Capacité (caisses)"),
    "free_from": _l("Libre à partir de"),
    "free_until": _l("Libre jusqu'à"),
    "cost_per_km_eur": _l("Coût par km (€)"),
    "cost_per_hour_eur": _l("Coût par heure (€)"),
    "driver_name": _l("Chauffeur"),
    "driver_phone": _l("Téléphone du chauffeur"),
    "days_off": _l("Jours sans tournée"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "opens": _l("Ouverture"),
    "handover": _l("Heure de passage de relais"),
    "closes": _l("Fermeture"),
    "handling_min": _l("Manutention (min)"),
    "canteen_id": _l("Cantine"),
    "starts": _l("Début"),
    "ends": _l("Fin"),
    "unloading_min": _l("Déchargement (min)"),
    "instructions": _l("Consignes pour le chauffeur"),
    "place_a": _l("Lieu de départ"),
    "place_b": _l("Lieu d'arrivée"),
    "distance_km": _l("Distance (km)"),
    "duration_min": _l("Durée (min)"),
}


def format_hour(minutes: int | None) -> str:
    """Return minutes after midnight as « HH:MM » (« 05:00 »)."""
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_days(days_off: str) -> list[str]:
    """Return a vehicle's ``days_off`` as the list of ISO weekdays its form ticks."""
    return [day for day in days_off.split(",") if day]


@dataclass
class _Reader:
    """Reads a form's texts field by field, keeping a French message per wrong field."""

    values: Mapping[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, name: str, problem: str) -> None:
        """Record that field ``name`` is wrong, its label leading the message."""
        self.errors.setdefault(name, []).append(
            _("%(field)s : %(problem)s", field=LABELS[name], problem=problem))

    def raw(self, name: str) -> str:
        value = self.values.get(name)
        return "" if value is None else str(value).strip()

    def text(self, name: str, *, required: bool = False, max_len: int = 200) -> str | None:
        """Return a text, None when left blank."""
        text = self.raw(name)
        if not text:
            if required:
                self.fail(name, _("à renseigner."))
            return None
        if len(text) > max_len:
            self.fail(name, _("%(count)d caractères au plus.", count=max_len))
        return text

    def decimal(self, name: str, *, required: bool = True, positive: bool = False,
                minimum: Decimal | None = Decimal(0),
                maximum: Decimal | None = None) -> Decimal | None:
        """Return a number (« 12,5 »), None when blank and optional or wrong."""
        text = normalise_number_text(self.raw(name))
        if not text:
            if required:
                self.fail(name, _("à renseigner."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.fail(name, _("« %(text)s » n'est pas un nombre.", text=self.raw(name)))
            return None
        if not number.is_finite():
            self.fail(name, _("« %(text)s » n'est pas un nombre.", text=self.raw(name)))
            return None
        if positive and number <= 0:
            self.fail(name, _("doit être supérieur à 0."))
        elif minimum is not None and number < minimum:
            self.fail(name, _("doit être au moins %(minimum)s.", minimum=minimum))
        elif maximum is not None and number > maximum:
            self.fail(name, _("doit être au plus %(maximum)s.", maximum=maximum))
        return number

    def integer(self, name: str, *, required: bool = True, positive: bool = False,
                maximum: int = 32767) -> int | None:
        """Return a whole number, None when blank and optional or wrong."""
        before = len(self.errors.get(name, []))
        number = self.decimal(name, required=required, positive=positive,
                              maximum=Decimal(maximum))
        if number is None or len(self.errors.get(name, [])) > before:
            return None
        if number != number.to_integral_value():
            self.fail(name, _("un nombre entier est attendu."))
            return None
        return int(number)

    def hour(self, name: str) -> int | None:
        """Return an hour typed « 5:00 », « 05:30 » or « 5h30 » as minutes after midnight."""
        text = self.raw(name)
        if not text:
            self.fail(name, _("à renseigner, par exemple 7:30."))
            return None
        match = _HOUR.match(text)
        minutes = None
        if match:
            hours, mins = int(match.group(1)), int(match.group(2) or 0)
            if mins < 60 and hours * 60 + mins <= DAY_MIN:
                minutes = hours * 60 + mins
        if minutes is None:
            self.fail(name, _("« %(text)s » n'est pas une heure (HH:MM, par exemple 7:30).",
                              text=text))
        return minutes

    def days(self, name: str) -> str:
        """Return ticked ISO weekdays as « 1,3 »."""
        raw = self.values.get(name) or []
        chosen = {str(day) for day in ([raw] if isinstance(raw, str) else raw) if str(day)}
        if chosen - set(WEEKDAYS):
            self.fail(name, _("jour inconnu."))
            return ""
        return ",".join(sorted(chosen, key=int))

    def check(self) -> None:
        """Raise InvalidInput naming every wrong field, if any."""
        if self.errors:
            messages = [message for found in self.errors.values() for message in found]
            raise InvalidInput(_("Rien n'a été enregistré. %(errors)s",
                                 errors=" ".join(messages)), self.errors)


def _require_lead(actor: Actor) -> None:
    if actor is None or actor.role != Role.LEAD:
        raise Forbidden(_("Seule la coordination du groupe règle les tournées."))


def _get(model: type[Any], record_id: int, message: str) -> Any:
    record = get_session().get(model, record_id)
    if record is None:
        raise NotFound(message)
    return record


def _farm(reader: _Reader, name: str, *, required: bool) -> Farm | None:
    """Return the farm chosen in field ``name`` (blank: none)."""
    text = reader.raw(name)
    if not text:
        if required:
            reader.fail(name, _("à choisir."))
        return None
    farm = get_session().get(Farm, int(text)) if text.isdigit() else None
    if farm is None:
        reader.fail(name, _("ferme inconnue."))
    return farm


def _coordinates(reader: _Reader, lat: str, lon: str) -> tuple[float | None, float | None]:
    latitude = reader.decimal(lat, minimum=Decimal(-90), maximum=Decimal(90))
    longitude = reader.decimal(lon, minimum=Decimal(-180), maximum=Decimal(180))
    return (float(latitude) if latitude is not None else None,
            float(longitude) if longitude is not None else None)


def _save(actor: Actor, model: type[Any], record_id: int | None, values: dict[str, Any],
          action: str, missing: str) -> Any:
    """Create the record, or apply the changes to it (audited, committed)."""
    if record_id is None:
        return create_record(actor, model(**values), action=f"{action}.create")
    record = _get(model, record_id, missing)
    apply_edit(actor, record, values, expected_version=None, action=f"{action}.update")
    return record


# Vehicles ---------------------------------------------------------------------------------

VEHICLE_MISSING = _l("Ce véhicule n'existe pas (ou plus).")


def list_vehicles() -> Sequence[Vehicle]:
    """Return every vehicle: the active ones first, then by name."""
    return get_session().scalars(
        select(Vehicle).order_by(Vehicle.is_active.desc(), Vehicle.name, Vehicle.id)).all()


def get_vehicle(vehicle_id: int) -> Vehicle:
    """Return a vehicle, or raise NotFound."""
    vehicle: Vehicle = _get(Vehicle, vehicle_id, str(VEHICLE_MISSING))
    return vehicle


def _van_values(reader: _Reader) -> dict[str, Any]:
    """Read what both the lead and the grower set on a van."""
    values: dict[str, Any] = {
        "capacity_kg": reader.decimal("capacity_kg", positive=True, maximum=Decimal(100000)),
        "capacity_crates": reader.integer("capacity_crates", positive=True),
        "free_from_min": reader.hour("free_from"),
        "free_until_min": reader.hour("free_until"),
        "driver_name": reader.text("driver_name"),
        "driver_phone": reader.text("driver_phone", max_len=32),
        "days_off": reader.days("days_off"),
    }
    start, end = values["free_from_min"], values["free_until_min"]
    if start is not None and end is not None and end <= start:
        reader.fail("free_until", _("doit suivre l'heure « %(start)s ».",
                                    start=format_hour(start)))
    return values


def vehicle_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Read and check a vehicle's form: a farm's van, or the partner's truck at its depot."""
    reader = _Reader(values)
    checked: dict[str, Any] = {"name": reader.text("name", required=True)}
    farm = _farm(reader, "farm_id", required=False)
    if farm is not None or reader.raw("farm_id"):
        checked.update(farm_id=farm.id if farm else None, depot_lat=None, depot_lon=None)
    else:  # the partner's truck starts from its depot
        lat, lon = _coordinates(reader, "depot_lat", "depot_lon")
        checked.update(farm_id=None, depot_lat=lat, depot_lon=lon)
    checked.update(_van_values(reader))
    checked["cost_per_km_eur"] = reader.decimal("cost_per_km_eur", maximum=Decimal(1000))
    checked["cost_per_hour_eur"] = reader.decimal("cost_per_hour_eur", maximum=Decimal(10000))
    reader.check()
    return checked


def save_vehicle(actor: Actor, vehicle_id: int | None, values: Mapping[str, Any]) -> Vehicle:
    """Create or update a vehicle (the lead)."""
    _require_lead(actor)
    checked = vehicle_values(values)
    vehicle: Vehicle = _save(actor, Vehicle, vehicle_id, checked, "vehicle", str(VEHICLE_MISSING))
    return vehicle


def set_vehicle_active(actor: Actor, vehicle_id: int, active: bool) -> Vehicle:
    """Put a vehicle back on the rounds, or take it off them (it is kept for the record)."""
    _require_lead(actor)
    vehicle = get_vehicle(vehicle_id)
    apply_edit(actor, vehicle, {"is_active": active}, expected_version=None,
               action="vehicle.update")
    return vehicle


# A grower's own van -----------------------------------------------------------------------


def _grower_farm(actor: Actor) -> Farm:
    if actor is None or actor.role != Role.GROWER or actor.farm is None:
        raise Forbidden(_("Cette page est celle des producteurs."))
    farm: Farm = actor.farm
    return farm


def my_vans(actor: Actor) -> Sequence[Vehicle]:
    """Return the vehicles of the grower's farm, the first registered first."""
    farm = _grower_farm(actor)
    return get_session().scalars(
        select(Vehicle).where(Vehicle.farm_id == farm.id).order_by(Vehicle.id)).all()


def my_van(actor: Actor, vehicle_id: int) -> Vehicle:
    """Return a van of the grower's farm; another farm's vehicle is not found."""
    farm = _grower_farm(actor)
    vehicle = get_session().get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.farm_id != farm.id:
        raise NotFound(_("Ce véhicule n'est pas celui de votre ferme."))
    return vehicle


def save_my_van(actor: Actor, vehicle_id: int | None, values: Mapping[str, Any]) -> Vehicle:
    """Save the grower's van (capacity, free hours, driver, days refused); the first creates it."""
    farm = _grower_farm(actor)
    vehicle = my_van(actor, vehicle_id) if vehicle_id is not None else None
    reader = _Reader(values)
    checked = _van_values(reader)
    reader.check()
    if vehicle is None:
        new = Vehicle(name=_("Camionnette %(farm)s", farm=farm.name)[:200], farm_id=farm.id,
                      **checked)
        created: Vehicle = create_record(actor, new, action="vehicle.create")
        return created
    apply_edit(actor, vehicle, checked, expected_version=None, action="vehicle.update")
    return vehicle


# Collection points ------------------------------------------------------------------------

POINT_MISSING = _l("Ce point de collecte n'existe pas (ou plus).")


def list_points() -> Sequence[CollectionPoint]:
    """Return every collection point: the active ones first, then by name."""
    return get_session().scalars(select(CollectionPoint).order_by(
        CollectionPoint.is_active.desc(), CollectionPoint.name, CollectionPoint.id)).all()


def get_point(point_id: int) -> CollectionPoint:
    """Return a collection point, or raise NotFound."""
    point: CollectionPoint = _get(CollectionPoint, point_id, str(POINT_MISSING))
    return point


def save_point(actor: Actor, point_id: int | None, values: Mapping[str, Any]) -> CollectionPoint:
    """Create or update a collection point: on a farm (its coordinates) or at given ones."""
    _require_lead(actor)
    reader = _Reader(values)
    checked: dict[str, Any] = {"name": reader.text("name", required=True)}
    farm = _farm(reader, "farm_id", required=False)
    if farm is not None:
        checked.update(farm_id=farm.id, lat=farm.lat, lon=farm.lon)
    elif not reader.raw("farm_id"):
        lat, lon = _coordinates(reader, "lat", "lon")
        checked.update(farm_id=None, lat=lat, lon=lon)
    checked.update(opens_min=reader.hour("opens"), handover_min=reader.hour("handover"),
                   closes_min=reader.hour("closes"),
                   handling_min=reader.integer("handling_min", maximum=600))
    opens, handover, closes = (checked["opens_min"], checked["handover_min"],
                               checked["closes_min"])
    if None not in (opens, handover, closes):
        if handover < opens:
            reader.fail("handover", _("au plus tôt à l'ouverture (%(opens)s).",
                                      opens=format_hour(opens)))
        if closes < handover:
            reader.fail("closes", _("au plus tôt à l'heure de passage de relais "
                                    "(%(handover)s).", handover=format_hour(handover)))
    reader.check()
    point: CollectionPoint = _save(actor, CollectionPoint, point_id, checked, "collection_point",
                                   str(POINT_MISSING))
    return point


def set_point_active(actor: Actor, point_id: int, active: bool) -> CollectionPoint:
    """Open a collection point to the rounds again, or close it (it is kept for the record)."""
    _require_lead(actor)
    point = get_point(point_id)
    apply_edit(actor, point, {"is_active": active}, expected_version=None,
               action="collection_point.update")
    return point


# Canteens' delivery windows ---------------------------------------------------------------

WINDOW_MISSING = _l("Ce créneau de livraison n'existe pas (ou plus).")


def list_canteens() -> Sequence[Canteen]:
    """Return the active canteens by name (the windows' and roads' choices)."""
    return get_session().scalars(
        select(Canteen).where(Canteen.is_active).order_by(Canteen.name)).all()


def list_windows() -> Sequence[DeliveryWindow]:
    """Return every delivery window, by canteen then start."""
    return get_session().scalars(select(DeliveryWindow).join(DeliveryWindow.canteen).order_by(
        Canteen.name, DeliveryWindow.starts_min, DeliveryWindow.id)).all()


def get_window(window_id: int) -> DeliveryWindow:
    """Return a delivery window, or raise NotFound."""
    window: DeliveryWindow = _get(DeliveryWindow, window_id, str(WINDOW_MISSING))
    return window


def save_window(actor: Actor, window_id: int | None, values: Mapping[str, Any]) -> DeliveryWindow:
    """Create or update a canteen's delivery window; it may not overlap another of its own."""
    _require_lead(actor)
    reader = _Reader(values)
    text = reader.raw("canteen_id")
    canteen = get_session().get(Canteen, int(text)) if text.isdigit() else None
    if canteen is None:
        reader.fail("canteen_id", _("à choisir.") if not text else _("cantine inconnue."))
    checked: dict[str, Any] = {
        "canteen_id": canteen.id if canteen else None,
        "starts_min": reader.hour("starts"),
        "ends_min": reader.hour("ends"),
        "unloading_min": reader.integer("unloading_min", maximum=600),
        "instructions": reader.text("instructions", max_len=2000),
    }
    start, end = checked["starts_min"], checked["ends_min"]
    if start is not None and end is not None:
        if end <= start:
            reader.fail("ends", _("doit suivre le début (%(start)s).", start=format_hour(start)))
        elif canteen is not None:
            for other in get_session().scalars(select(DeliveryWindow).where(
                    DeliveryWindow.canteen_id == canteen.id, DeliveryWindow.id != window_id)):
                if other.starts_min < end and start < other.ends_min:
                    reader.fail("starts", _(
                        "ce créneau chevauche celui de %(start)s à %(end)s de la même cantine.",
                        start=format_hour(other.starts_min), end=format_hour(other.ends_min)))
    reader.check()
    window: DeliveryWindow = _save(actor, DeliveryWindow, window_id, checked, "delivery_window",
                                   str(WINDOW_MISSING))
    return window


def delete_window(actor: Actor, window_id: int) -> None:
    """Delete a delivery window (a canteen without any takes deliveries 7:00–10:00)."""
    _require_lead(actor)
    window = get_window(window_id)
    record_audit(actor, "delivery_window.delete", window, before={
        "canteen_id": window.canteen_id, "starts_min": window.starts_min,
        "ends_min": window.ends_min})
    session = get_session()
    session.delete(window)
    session.commit()


# Road distances ---------------------------------------------------------------------------

ROAD_MISSING = _l("Cette distance n'existe pas (ou plus).")


def list_farms() -> Sequence[Farm]:
    """Return the active farms by name (the vans' and points' choices)."""
    return get_session().scalars(select(Farm).where(Farm.is_active).order_by(Farm.name)).all()


def farm_of(point: CollectionPoint) -> Farm | None:
    """Return the farm a collection point is on, if any."""
    return get_session().get(Farm, point.farm_id) if point.farm_id is not None else None


def list_places() -> list[tuple[str, str]]:
    """Return the places a road may join, as (key, label): farms, canteens, collection points."""
    session = get_session()
    farms = list_farms()
    points = session.scalars(select(CollectionPoint).where(CollectionPoint.is_active)
                             .order_by(CollectionPoint.name))
    return ([(f"farm:{farm.id}", _("Ferme — %(name)s", name=farm.name)) for farm in farms]
            + [(f"canteen:{canteen.id}", _("Cantine — %(name)s", name=canteen.name))
               for canteen in list_canteens()]
            + [(f"point:{point.id}", _("Point de collecte — %(name)s", name=point.name))
               for point in points])


def place_names(keys: Iterable[str]) -> dict[str, str]:
    """Return the name of each place key (« farm:3 » → the farm's name)."""
    models: dict[str, type[Any]] = {"farm": Farm, "canteen": Canteen, "point": CollectionPoint}
    names = {}
    for key in keys:
        kind, _sep, ident = key.partition(":")
        model = models.get(kind)
        record = get_session().get(model, int(ident)) if model and ident.isdigit() else None
        names[key] = record.name if record is not None else key
    return names


def _place(reader: _Reader, name: str) -> str | None:
    key = reader.raw(name)
    if not key:
        reader.fail(name, _("à choisir."))
        return None
    if key not in dict(list_places()):
        reader.fail(name, _("lieu inconnu « %(key)s ».", key=key))
        return None
    return key


def list_roads() -> Sequence[RoadDistance]:
    """Return every road distance entered."""
    return get_session().scalars(select(RoadDistance).order_by(RoadDistance.id)).all()


def get_road(road_id: int) -> RoadDistance:
    """Return a road distance, or raise NotFound."""
    road: RoadDistance = _get(RoadDistance, road_id, str(ROAD_MISSING))
    return road


def save_road(actor: Actor, road_id: int | None, values: Mapping[str, Any]) -> RoadDistance:
    """Enter the road distance (and duration) between two places; one entry per pair."""
    _require_lead(actor)
    reader = _Reader(values)
    a, b = _place(reader, "place_a"), _place(reader, "place_b")
    checked: dict[str, Any] = {
        "place_a": a, "place_b": b,
        "distance_km": reader.decimal("distance_km", positive=True, maximum=Decimal(2000)),
        "duration_min": reader.decimal("duration_min", required=False, positive=True,
                                       maximum=Decimal(24 * 60)),
    }
    if a is not None and a == b:
        reader.fail("place_b", _("un lieu différent du lieu de départ est attendu."))
    elif a is not None and b is not None:
        same = get_session().scalars(select(RoadDistance).where(
            or_((RoadDistance.place_a == a) & (RoadDistance.place_b == b),
                (RoadDistance.place_a == b) & (RoadDistance.place_b == a)),
            RoadDistance.id != (road_id or 0))).first()
        if same is not None:
            reader.fail("place_b", _("une distance est déjà saisie pour ces deux lieux : "
                                     "modifiez-la plutôt."))
    reader.check()
    for name in ("distance_km", "duration_min"):
        if checked[name] is not None:
            checked[name] = float(checked[name])
    road: RoadDistance = _save(actor, RoadDistance, road_id, checked, "road_distance",
                               str(ROAD_MISSING))
    return road


def delete_road(actor: Actor, road_id: int) -> None:
    """Delete a road distance: the pair goes back to crow-fly × the road factor."""
    _require_lead(actor)
    road = get_road(road_id)
    record_audit(actor, "road_distance.delete", road, before={
        "place_a": road.place_a, "place_b": road.place_b, "distance_km": road.distance_km})
    session = get_session()
    session.delete(road)
    session.commit()
