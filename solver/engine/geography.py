"""Grower–canteen distances: the given road distance, else great-circle distance × road factor."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solver.geography import EARTH_RADIUS_KM
from solver.problem import Problem


def distance_km(problem: Problem) -> dict[tuple[str, str], float]:
    """Return the distance of every (grower_id, canteen_id) pair, as the spec defines it."""
    matrix = distance_matrix_km(problem)
    canteen_ids = [c.id for c in problem.canteens]
    return {
        (grower.id, canteen_id): km
        for grower, row in zip(problem.growers, matrix.tolist(), strict=True)
        for canteen_id, km in zip(canteen_ids, row, strict=True)
    }


def distance_matrix_km(problem: Problem) -> npt.NDArray[np.float64]:
    """Return distances as a growers × canteens array, in the problem's order."""
    lat_g = np.radians([g.lat for g in problem.growers])[:, None]
    lon_g = np.radians([g.lon for g in problem.growers])[:, None]
    lat_c = np.radians([c.lat for c in problem.canteens])[None, :]
    lon_c = np.radians([c.lon for c in problem.canteens])[None, :]
    a = (
        np.sin((lat_c - lat_g) / 2) ** 2
        + np.cos(lat_g) * np.cos(lat_c) * np.sin((lon_c - lon_g) / 2) ** 2
    )
    great_circle = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    matrix: npt.NDArray[np.float64] = problem.settings.road_factor * great_circle.reshape(
        len(problem.growers), len(problem.canteens)
    )
    grower_pos = {g.id: i for i, g in enumerate(problem.growers)}
    canteen_pos = {c.id: j for j, c in enumerate(problem.canteens)}
    for given in problem.distances_km:
        matrix[grower_pos[given.grower], canteen_pos[given.canteen]] = given.km
    return matrix
