"""An SVG map of a day's rounds drawn from coordinates alone (no tiles, no external request)."""

from __future__ import annotations

import math
from html import escape

from pial.rounds.services import DayRounds

COLOURS = ("#1b6ca8", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f", "#6d4c41",
           "#ad1457", "#455a64", "#827717")
WIDTH, HEIGHT, MARGIN = 640, 480, 30


def rounds_map(rounds: DayRounds) -> str:
    """Return the day's routes as an inline SVG: farms as squares, canteens as circles."""
    problem = rounds.problem
    places: dict[str, tuple[float, float, str]] = {}
    for farm in problem.farms:
        places[f"farm:{farm.id}"] = (farm.lat, farm.lon, farm.name)
    for canteen in problem.canteens:
        places[f"canteen:{canteen.id}"] = (canteen.lat, canteen.lon, canteen.name)
    for point in problem.points:
        places[f"point:{point.id}"] = (point.lat, point.lon, point.name)
    for vehicle in problem.vehicles:
        places.setdefault(vehicle.start_key, (vehicle.lat, vehicle.lon, vehicle.name))
    lats = [lat for lat, _lon, _name in places.values()]
    lons = [lon for _lat, lon, _name in places.values()]
    # An equirectangular projection at the day's mean latitude keeps distances honest locally.
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)

    def xy(key: str) -> tuple[float, float]:
        lat, lon, _name = places[key]
        return (round(MARGIN + (lon - min(lons)) * scale_x * scale, 1),
                round(HEIGHT - MARGIN - (lat - min(lats)) * scale, 1))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'class="rounds-map" role="img" aria-labelledby="rounds-map-title">',
             f'<title id="rounds-map-title">{escape(rounds.day.isoformat())}</title>']
    for index, route in enumerate(rounds.result.routes):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x},{y}" for x, y in (xy(stop.place) for stop in route.stops))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2.5" stroke-opacity="0.8" data-vehicle="'
                     f'{escape(route.vehicle_id)}"><title>{escape(route.vehicle_id)}</title>'
                     "</polyline>")
    for key, (_lat, _lon, name) in sorted(places.items()):
        x, y = xy(key)
        kind = key.partition(":")[0]
        if kind == "canteen":
            shape = f'<circle cx="{x}" cy="{y}" r="5" fill="#fff" stroke="#333"/>'
        elif kind == "point":
            shape = f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#f1c40f" ' \
                    'stroke="#333"/>'
        else:
            shape = f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="#333"/>'
        parts.append(f'<g class="place {kind}">{shape}<title>{escape(name)}</title></g>')
    parts.append("</svg>")
    return "".join(parts)
