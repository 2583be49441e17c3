"""Tiny days whose best rounds can be worked out by hand."""

from __future__ import annotations

import pytest

from solver.rounds import (
    Canteen,
    CollectionPoint,
    Farm,
    Line,
    Pin,
    Road,
    RoundsProblem,
    Settings,
    Vehicle,
    check_rounds,
    solve_rounds,
)
from tests.solver.rounds.checker import violations

SETTINGS = Settings(solution_limit=50)


def _van(farm: Farm, capacity_kg: float = 500.0, **changes: object) -> Vehicle:
    return Vehicle(f"van-{farm.id}", f"Camionnette {farm.name}", "van", farm.lat, farm.lon,
                   capacity_kg, 40, farm_id=farm.id, **changes)  # type: ignore[arg-type]


def _two_neighbours(**canteen: object) -> RoundsProblem:
    """Two farms 0.7 km apart on one road, one canteen 25 km away."""
    a, b = Farm("a", "Ferme A", 43.000, 0.600), Farm("b", "Ferme B", 43.005, 0.605)
    cantine = Canteen("c", "École C", 43.200, 0.700, **canteen)  # type: ignore[arg-type]
    return RoundsProblem(
        "2026-12-07", (a, b), (cantine,), (_van(a), _van(b)),
        (Line("1", "a", "c", 50.0, 5), Line("2", "b", "c", 60.0, 6)), settings=SETTINGS,
    )


def test_two_neighbours_pool_into_one_drive() -> None:
    problem = _two_neighbours()

    result = solve_rounds(problem)

    assert result.status == "ok"
    assert len(result.routes) == 1  # one van fetches the neighbour's crates on its way
    (route,) = result.routes
    assert [stop.place for stop in route.stops][1:-1] in (
        ["farm:a", "canteen:c"], ["farm:b", "canteen:c"]
    )
    assert sorted(route.stops[-2].drop) == ["1", "2"]
    assert result.baseline is not None and result.pooled is not None
    assert result.baseline.num_routes == 2
    # Each grower alone drives the canteen and back; pooled, one drive and the 0.7 km detour.
    one_return_km = result.baseline.distance_km / 2
    assert result.pooled.distance_km == pytest.approx(one_return_km, abs=2.0)
    assert result.pooled.cost_eur < result.baseline.cost_eur
    assert result.pooled.co2_kg < result.baseline.co2_kg
    assert violations(problem, result) == []
    assert check_rounds(problem, result) == []


def test_the_shared_drive_is_split_pro_rata_and_the_driver_credited() -> None:
    problem = _two_neighbours()

    result = solve_rounds(problem)

    (route,) = result.routes
    shares = {share.farm_id: share for share in result.shares}
    assert sum(s.share_eur for s in shares.values()) == pytest.approx(route.cost_eur, abs=0.02)
    driver = route.vehicle_id.removeprefix("van-")
    passenger = "a" if driver == "b" else "b"
    assert shares[driver].credit_eur == pytest.approx(route.cost_eur)
    assert shares[passenger].credit_eur == 0
    # Both ride the same 25 km to the canteen; the driver's crates also ride the 0.7 km detour.
    kg = {"a": 50.0, "b": 60.0}
    ratio = shares["a"].share_eur / shares["b"].share_eur
    assert ratio == pytest.approx(kg["a"] / kg["b"], rel=0.05)
    assert shares[passenger].balance_eur > 0 > shares[driver].balance_eur


def test_a_window_that_cannot_be_met_is_reported() -> None:
    far = Farm("far", "Ferme lointaine", 44.5, 1.5)  # ~200 km from the canteen
    near = Farm("near", "Ferme voisine", 43.19, 0.70)
    cantine = Canteen("c", "École C", 43.2, 0.7, windows=((7 * 60, 7 * 60 + 30),))
    problem = RoundsProblem(
        "2026-12-07", (far, near), (cantine,),
        (_van(far, free_from_min=6 * 60), _van(near, free_from_min=6 * 60)),
        (Line("1", "far", "c", 20.0, 2), Line("2", "near", "c", 20.0, 2)), settings=SETTINGS,
    )

    result = solve_rounds(problem)

    assert result.status == "partial"
    assert [(u.line_id, u.reason) for u in result.unserved] == [("1", "window")]
    assert "7h00–7h30" in result.unserved[0].message
    assert violations(problem, result) == []


def test_a_line_heavier_than_every_vehicle_is_reported() -> None:
    problem = _two_neighbours()
    heavy = Line("3", "a", "c", 900.0, 10)
    problem = RoundsProblem(problem.day, problem.farms, problem.canteens, problem.vehicles,
                            (*problem.lines, heavy), settings=SETTINGS)

    result = solve_rounds(problem)

    assert [(u.line_id, u.reason) for u in result.unserved] == [("3", "capacity")]
    assert violations(problem, result) == []


def test_capacity_splits_the_load_between_vans() -> None:
    a, b = Farm("a", "Ferme A", 43.000, 0.600), Farm("b", "Ferme B", 43.005, 0.605)
    cantine = Canteen("c", "École C", 43.2, 0.7)
    problem = RoundsProblem(
        "2026-12-07", (a, b), (cantine,), (_van(a, 100.0), _van(b, 100.0)),
        (Line("1", "a", "c", 70.0, 5), Line("2", "b", "c", 60.0, 6)), settings=SETTINGS,
    )

    result = solve_rounds(problem)

    assert result.status == "ok" and len(result.routes) == 2  # 130 kg > one 100 kg van
    assert violations(problem, result) == []


def test_an_entered_road_overrides_the_crow_fly_distance() -> None:
    problem = _two_neighbours()
    roads = (Road("farm:a", "canteen:c", 80.0, 70.0), Road("farm:b", "canteen:c", 80.0, 70.0))
    problem = RoundsProblem(problem.day, problem.farms, problem.canteens, problem.vehicles,
                            problem.lines, roads=roads, settings=SETTINGS)

    result = solve_rounds(problem)

    (route,) = result.routes
    canteen_stop = next(s for s in route.stops if s.place == "canteen:c")
    before = route.stops[route.stops.index(canteen_stop) - 1]
    assert canteen_stop.arrival_min >= before.departure_min + 70 - 1
    assert route.distance_km > 160  # 80 km there, 80 km back
    assert violations(problem, result) == []


def test_crates_change_vehicle_at_the_collection_point() -> None:
    """Vans free only until 7:00 reach the platform; the truck takes the crates on."""
    a, b = Farm("a", "Ferme A", 43.00, 0.60), Farm("b", "Ferme B", 43.02, 0.58)
    platform = CollectionPoint("p", "Plateforme", 43.05, 0.65, opens_min=5 * 60,
                               closes_min=9 * 60)
    cantine = Canteen("c", "École C", 43.40, 0.90, windows=((8 * 60, 10 * 60),))
    truck = Vehicle("t", "Camion", "truck", 43.05, 0.65, 2000.0, 200, cost_per_km_eur=0.9,
                    cost_per_hour_eur=30.0, free_from_min=6 * 60, free_until_min=12 * 60)
    vans = tuple(_van(f, free_from_min=5 * 60, free_until_min=7 * 60) for f in (a, b))
    problem = RoundsProblem(
        "2026-12-07", (a, b), (cantine,), (*vans, truck),
        (Line("1", "a", "c", 50.0, 5), Line("2", "b", "c", 60.0, 6)), (platform,),
        settings=SETTINGS,
    )

    result = solve_rounds(problem)

    assert result.status == "ok", result.unserved
    routes = {route.vehicle_id: route for route in result.routes}
    assert [s.place for s in routes["t"].stops] == ["depot:t", "point:p", "canteen:c", "depot:t"]
    assert sorted(routes["t"].stops[1].load) == ["1", "2"]
    assert violations(problem, result) == []
    assert check_rounds(problem, result) == []
    assert result.partner_credit_eur == pytest.approx(routes["t"].cost_eur)


def test_a_line_put_on_a_vehicle_by_the_coordinator_stays_on_it() -> None:
    problem = _two_neighbours()
    alone = solve_rounds(problem)
    (route,) = alone.routes
    other = "van-a" if route.vehicle_id == "van-b" else "van-b"
    pinned = RoundsProblem(problem.day, problem.farms, problem.canteens, problem.vehicles,
                           problem.lines, settings=SETTINGS, pins=(Pin("1", other),))

    result = solve_rounds(pinned)

    loader = {line: r.vehicle_id for r in result.routes for s in r.stops for line in s.load}
    assert loader["1"] == other  # moved as asked; the search re-optimised the rest around it
    assert violations(pinned, result) == []
    assert check_rounds(pinned, result) == []
    tampered = RoundsProblem(problem.day, problem.farms, problem.canteens, problem.vehicles,
                             problem.lines, settings=SETTINGS, pins=(Pin("1", route.vehicle_id),))
    assert any("placée sur le véhicule" in e for e in check_rounds(tampered, result))
