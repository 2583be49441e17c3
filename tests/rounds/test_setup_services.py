"""Setting the rounds up: vehicles, a grower's own van, points, windows and roads, checked."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.errors import Forbidden, InvalidInput, NotFound
from pial.models import AuditLog, CollectionPoint, DeliveryWindow, RoadDistance, Vehicle
from pial.rounds import services, setup
from tests.allocation.scenario import MONDAY
from tests.rounds.conftest import Published

VAN = {
    "name": "Camionnette du Pic", "capacity_kg": "750,5", "capacity_crates": "45",
    "free_from": "5:00", "free_until": "13h30", "cost_per_km_eur": "0,35",
    "cost_per_hour_eur": "18", "driver_name": "Élodie", "driver_phone": "06 11 22 33 44",
    "days_off": ["3", "5"],
}


def _count(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_the_lead_creates_a_farm_van_and_the_partner_truck(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any]
) -> None:
    lead, farm = make_user("lead"), make_farm(name="Ferme du Pic")

    van = setup.save_vehicle(lead, None, {**VAN, "farm_id": str(farm.id)})
    truck = setup.save_vehicle(lead, None, {
        **VAN, "name": "Camion Transports Garonne", "farm_id": "", "depot_lat": "43,1",
        "depot_lon": "0,72", "days_off": []})

    assert (van.farm_id, van.depot_lat, van.capacity_kg) == (farm.id, None, Decimal("750.5"))
    assert (van.free_from_min, van.free_until_min, van.days_off) == (300, 810, "3,5")
    assert van.cost_per_km_eur == Decimal("0.35") and van.driver_phone == "06 11 22 33 44"
    assert truck.is_partner_truck and (truck.depot_lat, truck.depot_lon) == (43.1, 0.72)
    assert db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "vehicle.create")) == 2


def test_a_wrong_vehicle_names_every_wrong_field_and_writes_nothing(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any]
) -> None:
    lead, farm = make_user("lead"), make_farm()
    van = setup.save_vehicle(lead, None, {**VAN, "farm_id": str(farm.id)})

    with pytest.raises(InvalidInput) as refused:
        setup.save_vehicle(lead, van.id, {
            **VAN, "farm_id": str(farm.id), "name": "Renommée", "capacity_kg": "0",
            "capacity_crates": "2,5", "free_from": "13:00", "free_until": "5:00",
            "cost_per_km_eur": "-1"})

    errors = refused.value.field_errors
    assert errors["capacity_kg"] == ["Capacité (kg) : doit être supérieur à 0."]
    assert errors["capacity_crates"] == ["Capacité (caisses) : un nombre entier est attendu."]
    assert errors["free_until"] == ["Libre jusqu'à : doit suivre l'heure « 13:00 »."]
    assert errors["cost_per_km_eur"] == ["Coût par km (€) : doit être au moins 0."]
    assert "Capacité (kg)" in str(refused.value)
    db.refresh(van)
    assert (van.name, van.capacity_kg, van.free_from_min) == (
        "Camionnette du Pic", Decimal("750.5"), 300)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"free_from": "25:00"}, "free_from", "Libre à partir de : « 25:00 » n'est pas une heure"),
    ({"free_from": "7:75"}, "free_from", "« 7:75 » n'est pas une heure"),
    ({"capacity_kg": "beaucoup"}, "capacity_kg", "« beaucoup » n'est pas un nombre"),
    ({"farm_id": "999999"}, "farm_id", "Ferme : ferme inconnue."),
    ({"farm_id": "", "depot_lat": ""}, "depot_lat", "Latitude du dépôt : à renseigner."),
    ({"farm_id": "", "depot_lat": "95", "depot_lon": "0"}, "depot_lat", "au plus 90"),
    ({"days_off": ["8"]}, "days_off", "Jours sans tournée : jour inconnu."),
    ({"name": " "}, "name", "Nom : à renseigner."),
])
def test_each_wrong_vehicle_field_is_refused(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any],
    changes: dict[str, Any], field: str, message: str,
) -> None:
    lead, farm = make_user("lead"), make_farm()

    with pytest.raises(InvalidInput) as refused:
        setup.save_vehicle(lead, None, {**VAN, "farm_id": str(farm.id), **changes})

    assert message in " ".join(refused.value.field_errors[field])
    assert _count(db, Vehicle) == 0


def test_only_the_lead_keeps_the_vehicles(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any]
) -> None:
    grower, farm = make_user("grower"), make_farm()

    with pytest.raises(Forbidden):
        setup.save_vehicle(grower, None, {**VAN, "farm_id": str(farm.id)})
    assert _count(db, Vehicle) == 0


def test_the_lead_takes_a_vehicle_off_the_rounds(db: Session, published: Published) -> None:
    lead, van = published.scenario.lead, published.vans["luchon"]

    setup.set_vehicle_active(lead, van.id, False)

    for rounds in services.week_rounds(published.scenario.iso_week):
        assert str(van.id) not in {route.vehicle_id for route in rounds.result.routes}
    assert [v.id for v in setup.list_vehicles()][-1] == van.id  # the inactive ones last


def test_a_grower_creates_then_edits_their_van_only(
    db: Session, make_user: Callable[..., Any]
) -> None:
    grower, other = make_user("grower"), make_user("grower")
    assert setup.my_vans(grower) == []

    van = setup.save_my_van(grower, None, {
        "capacity_kg": "500", "capacity_crates": "30", "free_from": "6:00",
        "free_until": "12:00", "driver_phone": "06 00 00 00 01", "days_off": ["1"]})
    setup.save_my_van(grower, van.id, {
        "capacity_kg": "520", "capacity_crates": "30", "free_from": "6:00",
        "free_until": "12:00", "driver_phone": "06 00 00 00 01", "days_off": ["1", "4"]})

    assert van.farm_id == grower.farm_id and van.name == f"Camionnette {grower.farm.name}"
    assert (van.capacity_kg, van.days_off, van.cost_per_km_eur) == (
        Decimal(520), "1,4", Decimal("0.40"))
    assert setup.my_vans(grower) == [van] and setup.my_vans(other) == []
    with pytest.raises(NotFound):
        setup.my_van(other, van.id)
    with pytest.raises(NotFound):
        setup.save_my_van(other, van.id, {"capacity_kg": "1", "days_off": []})
    lead = make_user("lead")
    with pytest.raises(Forbidden):
        setup.my_vans(lead)
    db.refresh(van)
    assert van.capacity_kg == Decimal(520)


def test_a_grower_who_refuses_monday_no_longer_drives_monday(
    db: Session, published: Published
) -> None:
    iso_week = published.scenario.iso_week
    before = services.day_rounds(iso_week, MONDAY)
    driving = before.result.routes[0].vehicle_id
    key = next(key for key, van in published.vans.items() if str(van.id) == driving)
    grower = published.scenario.growers[key]
    van = setup.my_van(grower, int(driving))

    setup.save_my_van(grower, van.id, {
        "capacity_kg": "800", "capacity_crates": "60", "free_from": "05:00",
        "free_until": "14:00", "driver_phone": "06 12 34 56 78", "days_off": ["1"]})

    after = services.day_rounds(iso_week, MONDAY)
    assert driving not in {route.vehicle_id for route in after.result.routes}
    with pytest.raises(NotFound):
        after.route(driving)
    assert services.check_rounds_document(after.document()) == []


def test_a_point_on_a_farm_takes_its_coordinates_and_the_hours_are_ordered(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any]
) -> None:
    lead, farm = make_user("lead"), make_farm(lat=43.1, lon=0.7)
    values = {"name": "Plateforme de Saint-Gaudens", "farm_id": str(farm.id), "opens": "5:00",
              "handover": "7:00", "closes": "12:00", "handling_min": "10"}

    point = setup.save_point(lead, None, values)
    with pytest.raises(InvalidInput) as refused:
        setup.save_point(lead, point.id, {**values, "handover": "4:00", "handling_min": "-1"})

    assert (point.lat, point.lon, point.farm_id) == (43.1, 0.7, farm.id)
    assert refused.value.field_errors["handover"] == [
        "Heure de passage de relais : au plus tôt à l'ouverture (05:00)."]
    assert "Manutention (min)" in refused.value.field_errors["handling_min"][0]
    db.refresh(point)
    assert point.handover_min == 7 * 60
    setup.set_point_active(lead, point.id, False)
    assert not point.is_active


def test_a_canteen_has_several_windows_that_do_not_overlap(
    db: Session, make_user: Callable[..., Any], make_canteen: Callable[..., Any]
) -> None:
    lead, canteen = make_user("lead"), make_canteen()
    base = {"canteen_id": str(canteen.id), "unloading_min": "15", "instructions": "Quai B"}

    setup.save_window(lead, None, {**base, "starts": "7:00", "ends": "9:00"})
    setup.save_window(lead, None, {**base, "starts": "10:30", "ends": "11:30"})
    with pytest.raises(InvalidInput) as overlapping:
        setup.save_window(lead, None, {**base, "starts": "8:30", "ends": "10:00"})
    with pytest.raises(InvalidInput) as backwards:
        setup.save_window(lead, None, {**base, "starts": "10:00", "ends": "8:00"})
    with pytest.raises(InvalidInput) as unknown:
        setup.save_window(lead, None, {**base, "canteen_id": "999999", "starts": "7:00",
                                       "ends": "8:00"})

    assert "chevauche celui de 07:00 à 09:00" in overlapping.value.field_errors["starts"][0]
    assert backwards.value.field_errors["ends"] == ["Fin : doit suivre le début (10:00)."]
    assert unknown.value.field_errors["canteen_id"] == ["Cantine : cantine inconnue."]
    windows = setup.list_windows()
    assert [(w.starts_min, w.ends_min) for w in windows] == [(420, 540), (630, 690)]
    setup.delete_window(lead, windows[0].id)
    assert _count(db, DeliveryWindow) == 1


def test_a_road_joins_two_known_different_places_once(
    db: Session, make_user: Callable[..., Any], make_farm: Callable[..., Any],
    make_canteen: Callable[..., Any],
) -> None:
    lead, farm, canteen = make_user("lead"), make_farm(), make_canteen()
    a, b = f"farm:{farm.id}", f"canteen:{canteen.id}"

    road = setup.save_road(lead, None, {"place_a": a, "place_b": b, "distance_km": "12,5",
                                        "duration_min": ""})
    refusals = {}
    for name, values in {
        "itself": {"place_a": a, "place_b": a, "distance_km": "3"},
        "unknown": {"place_a": a, "place_b": "canteen:999999", "distance_km": "3"},
        "twice": {"place_a": b, "place_b": a, "distance_km": "3"},
        "zero": {"place_a": b, "place_b": "farm:999999", "distance_km": "0"},
    }.items():
        with pytest.raises(InvalidInput) as refused:
            setup.save_road(lead, None, values)
        refusals[name] = refused.value.field_errors

    assert (road.distance_km, road.duration_min) == (12.5, None)
    assert refusals["itself"]["place_b"] == [
        "Lieu d'arrivée : un lieu différent du lieu de départ est attendu."]
    assert refusals["unknown"]["place_b"] == ["Lieu d'arrivée : lieu inconnu « canteen:999999 »."]
    assert "déjà saisie" in refusals["twice"]["place_b"][0]
    assert refusals["zero"]["distance_km"] == ["Distance (km) : doit être supérieur à 0."]
    assert _count(db, RoadDistance) == 1
    setup.save_road(lead, road.id, {"place_a": b, "place_b": a, "distance_km": "13",
                                    "duration_min": "20"})  # its own pair, the other way
    assert (road.place_a, road.distance_km, road.duration_min) == (b, 13.0, 20.0)
    setup.delete_road(lead, road.id)
    assert _count(db, RoadDistance) == 0 and _count(db, CollectionPoint) == 0


def test_a_road_distance_entered_changes_the_day_s_km(db: Session, published: Published) -> None:
    iso_week, lead = published.scenario.iso_week, published.scenario.lead
    before = services.day_rounds(iso_week, MONDAY)
    stops = [stop.place for stop in before.result.routes[0].stops]
    a, b = next((x, y) for x, y in itertools.pairwise(stops) if x != y)

    setup.save_road(lead, None, {"place_a": a, "place_b": b, "distance_km": "150"})

    after = services.day_rounds(iso_week, MONDAY)
    assert before.result.pooled is not None and after.result.pooled is not None
    assert after.result.pooled.distance_km > before.result.pooled.distance_km
    assert services.check_rounds_document(after.document()) == []
