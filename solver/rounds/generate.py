"""Generated delivery days for tests and the benchmark: farms, canteens, vans, a truck, lines."""

from __future__ import annotations

import random

from solver.rounds.model import (
    GROWER_VAN,
    PARTNER_TRUCK,
    TRUCK_CO2_KG_PER_KM,
    Canteen,
    CollectionPoint,
    Farm,
    Line,
    RoundsProblem,
    Settings,
    Vehicle,
)

CENTRE = (43.10, 0.72)  # Comminges
EARLY, LATE = (7 * 60, 10 * 60), (9 * 60 + 30, 11 * 60 + 30)


def generate_day(
    *,
    num_farms: int = 50,
    num_canteens: int = 40,
    num_vans: int = 9,
    with_truck: bool = True,
    lines_per_canteen: int = 3,
    span_km: float = 40.0,
    seed: int = 1,
    settings: Settings | None = None,
) -> RoundsProblem:
    """Return a random but reproducible day spread over a square of ``span_km``.

    Half the canteens take deliveries 7:00–10:00, the others 9:30–11:30; the partner's truck
    (if any) starts from its platform at the centre, which is also the collection point.
    """
    rng = random.Random(seed)
    degrees_lat = span_km / 111.0

    def place() -> tuple[float, float]:
        return (
            round(CENTRE[0] + (rng.random() - 0.5) * degrees_lat, 5),
            round(CENTRE[1] + (rng.random() - 0.5) * degrees_lat * 1.37, 5),
        )

    farms = tuple(Farm(f"f{n}", f"Ferme {n}", *place(), loading_min=5)
                  for n in range(1, num_farms + 1))
    canteens = tuple(
        Canteen(f"c{n}", f"Cantine {n}", *place(), windows=(EARLY if n % 2 else LATE,),
                unloading_min=5, instructions="Quai de livraison à l'arrière",
                phone=f"05 61 00 {n:02d} 00")
        for n in range(1, num_canteens + 1)
    )
    vehicles = [
        Vehicle(f"v{n}", f"Camionnette {farm.name}", GROWER_VAN, farm.lat, farm.lon,
                capacity_kg=rng.choice((400.0, 600.0, 800.0)), capacity_crates=rng.choice(
                    (30, 45, 60)), farm_id=farm.id, driver=f"Producteur {n}",
                free_from_min=4 * 60 + 30, free_until_min=14 * 60)
        for n, farm in enumerate(rng.sample(farms, min(num_vans, num_farms)), start=1)
    ]
    points: tuple[CollectionPoint, ...] = ()
    if with_truck:
        points = (CollectionPoint("p1", "Plateforme logistique", *CENTRE),)
        vehicles.append(Vehicle(
            "t1", "Camion du partenaire", PARTNER_TRUCK, *CENTRE, capacity_kg=3000.0,
            capacity_crates=250, cost_per_km_eur=0.90, cost_per_hour_eur=30.0,
            co2_kg_per_km=TRUCK_CO2_KG_PER_KM, driver="Chauffeur du partenaire",
            free_from_min=4 * 60 + 30, free_until_min=14 * 60,
        ))
    lines: list[Line] = []
    for canteen in canteens:
        for farm in rng.sample(farms, min(lines_per_canteen, num_farms)):
            lines.append(Line(f"l{len(lines) + 1}", farm.id, canteen.id,
                              float(rng.randint(5, 60)), rng.randint(1, 6)))
    return RoundsProblem(
        "2026-12-07", farms, canteens, tuple(vehicles), tuple(lines), points,
        settings=settings or Settings(),
    )
