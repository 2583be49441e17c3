"""An instance of `pial-allocation/1` read straight from its JSON, as numpy arrays.

The bench reads the JSON itself rather than the engine's dataclasses so that its metrics, its
feasibility checker and its bound stay independent of the code they judge. Only numpy is
imported here: the bound's subprocess (HiGHS) must not load OR-Tools.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EARTH_RADIUS_KM = 6371.0
ANY_DAY = -1


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the spec's last, weighted objective stage."""

    distance: float
    fairness: float
    deliveries: float
    stability: float


@dataclass(frozen=True, slots=True)
class Arcs:
    """Every usable (offer, order line) link, and the (grower, line) pairs they form."""

    offer: IntArray
    line: IntArray
    grower: IntArray
    pair: IntArray
    pair_grower: IntArray
    pair_line: IntArray


@dataclass(frozen=True, slots=True)
class BenchInstance:
    """A parsed instance: ids, per-entity arrays, distances and the spec's derived shares."""

    raw: dict[str, Any]
    grower_ids: list[str]
    canteen_ids: list[str]
    product_ids: list[str]
    days: list[str]
    price_eur: FloatArray
    unit_kg: FloatArray
    lot: FloatArray
    distance_km: FloatArray
    allowed: BoolArray
    line_canteen: IntArray
    line_product: IntArray
    line_day: IntArray
    line_quantity: FloatArray
    line_contract: BoolArray
    offer_grower: IntArray
    offer_product: IntArray
    offer_day: IntArray
    offer_quantity: FloatArray
    share: FloatArray
    ledger_eur: FloatArray
    max_km: float | None
    max_growers_per_line: int | None
    ledger_catch_up: float
    weights: Weights
    line_index: dict[tuple[str, str, str], int]

    @property
    def num_growers(self) -> int:
        """Number of growers of the instance."""
        return len(self.grower_ids)

    @property
    def num_lines(self) -> int:
        """Number of order lines of the instance."""
        return len(self.line_quantity)

    def rows(self, field: str) -> list[dict[str, Any]]:
        """Return the `locked` or `previous` rows of the instance."""
        return list(self.raw.get(field) or [])


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Return the great-circle distance between points given in degrees (broadcasting)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def parse_instance(doc: dict[str, Any]) -> BenchInstance:
    """Read a `pial-allocation/1` JSON document into arrays (no validation beyond lookups)."""
    settings = doc.get("settings") or {}
    raw_weights = settings.get("weights") or {}
    weights = Weights(
        distance=float(raw_weights.get("distance", 1.0)),
        fairness=float(raw_weights.get("fairness", 1.0)),
        deliveries=float(raw_weights.get("deliveries", 0.0)),
        stability=float(raw_weights.get("stability", 0.0)),
    )
    products = doc["products"]
    growers = doc["growers"]
    canteens = doc["canteens"]
    product_ids = [p["id"] for p in products]
    grower_ids = [g["id"] for g in growers]
    canteen_ids = [c["id"] for c in canteens]
    product_at = {pid: i for i, pid in enumerate(product_ids)}
    grower_at = {gid: i for i, gid in enumerate(grower_ids)}
    canteen_at = {cid: i for i, cid in enumerate(canteen_ids)}

    orders = doc["orders"]
    availability = doc["availability"]
    days = sorted({o["day"] for o in orders} | {a["day"] for a in availability if a.get("day")})
    day_at = {d: i for i, d in enumerate(days)}

    distance_km = _distance_matrix(
        doc, grower_at, canteen_at, float(settings.get("road_factor", 1.3))
    )
    max_km = settings.get("max_km")
    allowed = (
        distance_km <= float(max_km) if max_km is not None else np.ones_like(distance_km, bool)
    )

    price_eur = np.array([float(p["price"]) for p in products])
    offer_grower = np.array([grower_at[a["grower"]] for a in availability], dtype=np.int64)
    offer_product = np.array([product_at[a["product"]] for a in availability], dtype=np.int64)
    offer_quantity = np.array([float(a["quantity"]) for a in availability])
    line_index = {(o["canteen"], o["product"], o["day"]): i for i, o in enumerate(orders)}
    max_growers = settings.get("max_growers_per_line")
    return BenchInstance(
        raw=doc,
        grower_ids=grower_ids,
        canteen_ids=canteen_ids,
        product_ids=product_ids,
        days=days,
        price_eur=price_eur,
        unit_kg=np.array([float(p.get("unit_kg", 1.0)) for p in products]),
        lot=np.array([float(p.get("lot") or 0.0) for p in products]),
        distance_km=distance_km,
        allowed=allowed,
        line_canteen=np.array([canteen_at[o["canteen"]] for o in orders], dtype=np.int64),
        line_product=np.array([product_at[o["product"]] for o in orders], dtype=np.int64),
        line_day=np.array([day_at[o["day"]] for o in orders], dtype=np.int64),
        line_quantity=np.array([float(o["quantity"]) for o in orders]),
        line_contract=np.array([o.get("priority", "regular") == "contract" for o in orders]),
        offer_grower=offer_grower,
        offer_product=offer_product,
        offer_day=np.array(
            [day_at[a["day"]] if a.get("day") else ANY_DAY for a in availability], dtype=np.int64
        ),
        offer_quantity=offer_quantity,
        share=_shares(growers, offer_grower, offer_quantity * price_eur[offer_product]),
        ledger_eur=np.array([float(g.get("ledger_eur") or 0.0) for g in growers]),
        max_km=float(max_km) if max_km is not None else None,
        max_growers_per_line=int(max_growers) if max_growers is not None else None,
        ledger_catch_up=float(settings.get("ledger_catch_up", 0.5)),
        weights=weights,
        line_index=line_index,
    )


def _distance_matrix(
    doc: dict[str, Any], grower_at: dict[str, int], canteen_at: dict[str, int], road_factor: float
) -> FloatArray:
    growers, canteens = doc["growers"], doc["canteens"]
    g_lat = np.array([float(g["lat"]) for g in growers])[:, None]
    g_lon = np.array([float(g["lon"]) for g in growers])[:, None]
    c_lat = np.array([float(c["lat"]) for c in canteens])[None, :]
    c_lon = np.array([float(c["lon"]) for c in canteens])[None, :]
    distance_km = haversine_km(g_lat, g_lon, c_lat, c_lon) * road_factor
    for row in doc.get("distances_km") or []:
        distance_km[grower_at[row["grower"]], canteen_at[row["canteen"]]] = float(row["km"])
    return distance_km


def _shares(
    growers: list[dict[str, Any]], offer_grower: IntArray, offer_eur: FloatArray
) -> FloatArray:
    """Apply the spec: declared shares renormalised over offering growers, else offered value."""
    offered_eur = np.bincount(offer_grower, weights=offer_eur, minlength=len(growers))
    offering = offered_eur > 0
    declared = [g.get("target_share") for g in growers]
    if all(s is not None for s in declared):
        share = np.where(offering, np.array([float(s) for s in declared]), 0.0)  # type: ignore[arg-type]
    else:
        share = offered_eur.copy()
    total = float(share.sum())
    return share / total if total > 0 else share


def build_arcs(inst: BenchInstance) -> Arcs:
    """List every (offer, line) link allowed by product, day and distance, vectorised."""
    order = np.argsort(inst.offer_product, kind="stable")
    counts = np.bincount(inst.offer_product, minlength=len(inst.product_ids))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    per_line = counts[inst.line_product]
    arc_line = np.repeat(np.arange(inst.num_lines), per_line)
    offsets = np.arange(int(per_line.sum())) - np.repeat(np.cumsum(per_line) - per_line, per_line)
    arc_offer = order[np.repeat(starts[inst.line_product], per_line) + offsets]
    offer_day = inst.offer_day[arc_offer]
    arc_grower = inst.offer_grower[arc_offer]
    keep = ((offer_day == ANY_DAY) | (offer_day == inst.line_day[arc_line])) & inst.allowed[
        arc_grower, inst.line_canteen[arc_line]
    ]
    keep &= inst.offer_quantity[arc_offer] > 0
    arc_offer, arc_line, arc_grower = arc_offer[keep], arc_line[keep], arc_grower[keep]
    pair_key = arc_line * max(inst.num_growers, 1) + arc_grower
    unique_keys, arc_pair = np.unique(pair_key, return_inverse=True)
    return Arcs(
        offer=arc_offer.astype(np.int64),
        line=arc_line.astype(np.int64),
        grower=arc_grower.astype(np.int64),
        pair=arc_pair.astype(np.int64),
        pair_grower=(unique_keys % max(inst.num_growers, 1)).astype(np.int64),
        pair_line=(unique_keys // max(inst.num_growers, 1)).astype(np.int64),
    )


def is_lot_multiple(quantity: float, lot: float) -> bool:
    """Tell whether a quantity is a whole number of lots (any quantity when there is no lot)."""
    if lot <= 0:
        return True
    ratio = quantity / lot
    return math.isclose(ratio, round(ratio), rel_tol=1e-9, abs_tol=1e-6)
