"""The bench's own parts: generator, heuristics, metrics, feasibility checker and LP bound."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import solver
import solver.bench.run
from solver.bench import main as bench_main
from solver.bench.baselines import nearest_grower_first, pro_rata
from solver.bench.determinism import PlanComparison, compare_plans
from solver.bench.generate import SCALE_SPECS, generate_instance
from solver.bench.instance import parse_instance
from solver.bench.metrics import PlanMetrics, check_plan, measure_plan
from solver.bench.report import (
    instance_notes,
    render_section,
    table_rows,
    verdicts,
    write_section,
)
from solver.bench.run import (
    InstanceRun,
    MethodRun,
    run_instance,
    run_method_subprocess,
    solve_again_under_load,
    time_short_runs_again,
)

DAY_1, DAY_2 = "2026-11-23", "2026-11-26"
FIRST_AND_WARM = Path(__file__).resolve().parents[2] / "benchmarks" / "solver_first_and_warm.py"


@pytest.mark.parametrize("variant", ["continuous", "operational"])
@pytest.mark.parametrize("scale", ["luchon", "department"])
def test_generator_is_reproducible_from_its_seed(scale: str, variant: str) -> None:
    first = json.dumps(generate_instance(scale, variant, 7), sort_keys=True)
    again = json.dumps(generate_instance(scale, variant, 7), sort_keys=True)
    other = json.dumps(generate_instance(scale, variant, 8), sort_keys=True)
    assert first == again
    assert first != other


@pytest.mark.parametrize("variant", ["continuous", "operational"])
@pytest.mark.parametrize("scale", ["luchon", "department", "region"])
def test_generated_instances_follow_the_spec(scale: str, variant: str) -> None:
    doc = generate_instance(scale, variant, 1)
    solver.load(doc)  # the project's own reader rejects any break of the format
    products = {p["id"]: p for p in doc["products"]}
    growers = {g["id"] for g in doc["growers"]}
    canteens = {c["id"] for c in doc["canteens"]}
    assert doc["format"] == "pial-allocation/1"
    assert all(o["canteen"] in canteens and o["product"] in products for o in doc["orders"])
    assert all(a["grower"] in growers and a["product"] in products for a in doc["availability"])
    assert all(
        o["quantity"] > 0 and o["priority"] in ("contract", "regular") for o in doc["orders"]
    )
    keys = [(o["canteen"], o["product"], o["day"]) for o in doc["orders"]]
    assert len(keys) == len(set(keys))
    contract_share = sum(o["priority"] == "contract" for o in doc["orders"]) / len(doc["orders"])
    assert 0.15 < contract_share < 0.45
    assert sum(g["target_share"] for g in doc["growers"]) == pytest.approx(1.0, abs=1e-3)
    settings = doc["settings"]
    if variant == "operational":
        assert all(p["lot"] > 0 for p in products.values())
        assert all(a["quantity"] % products[a["product"]]["lot"] == 0 for a in doc["availability"])
        assert settings["max_growers_per_line"] == 3
        assert settings["weights"]["deliveries"] > 0
    else:
        assert all("lot" not in p for p in products.values())
        assert settings["max_growers_per_line"] is None
        assert settings["weights"]["deliveries"] == 0
    inst = parse_instance(doc)
    offered, ordered = inst.offer_quantity.sum(), inst.line_quantity.sum()
    assert 0.6 * ordered < offered < 1.2 * ordered  # comparable, with some scarcity


def test_region_has_the_requested_size_and_spread() -> None:
    doc = generate_instance("region", "continuous", 1)
    assert (len(doc["growers"]), len(doc["canteens"]), len(doc["products"])) == (200, 200, 80)
    assert doc["settings"]["max_km"] == 60
    lats = [g["lat"] for g in doc["growers"]] + [c["lat"] for c in doc["canteens"]]
    assert 2.3 < max(lats) - min(lats) < 2.8  # about 300 km north-south
    offers_per_grower = len(doc["availability"]) / 200
    assert offers_per_grower == pytest.approx(0.25 * 80, rel=0.2)


@pytest.mark.parametrize("heuristic", [nearest_grower_first, pro_rata])
@pytest.mark.parametrize(
    ("scale", "variant"),
    [("luchon", "continuous"), ("luchon", "operational"), ("department", "operational")],
)
def test_heuristics_keep_every_rule(heuristic: Any, scale: str, variant: str) -> None:
    inst = parse_instance(generate_instance(scale, variant, 3))
    rows = heuristic(inst)
    assert rows
    assert check_plan(inst, rows) == []


def tiny_instance() -> dict[str, Any]:
    """Two growers (one beyond max_km), two canteens, crates of 5 kg."""
    return {
        "format": "pial-allocation/1",
        "week": "2026-W48",
        "products": [
            {
                "id": "carotte",
                "name": "Carotte",
                "unit": "kg",
                "unit_kg": 1.0,
                "lot": 5,
                "price": 2.0,
            },
        ],
        "growers": [
            {"id": "near", "name": "Near", "lat": 42.80, "lon": 0.60, "target_share": 0.5},
            {"id": "far", "name": "Far", "lat": 43.50, "lon": 0.60, "target_share": 0.5},
        ],
        "canteens": [
            {"id": "a", "name": "A", "lat": 42.79, "lon": 0.59},
            {"id": "b", "name": "B", "lat": 42.81, "lon": 0.61},
        ],
        "availability": [
            {"grower": "near", "product": "carotte", "quantity": 20},
            {"grower": "near", "product": "carotte", "quantity": 5, "day": DAY_1},
            {"grower": "far", "product": "carotte", "quantity": 50},
        ],
        "orders": [
            {
                "canteen": "a",
                "product": "carotte",
                "day": DAY_1,
                "quantity": 15,
                "priority": "contract",
            },
            {"canteen": "b", "product": "carotte", "day": DAY_2, "quantity": 25},
        ],
        "distances_km": [{"grower": "near", "canteen": "a", "km": 4.0}],
        "settings": {"max_km": 30, "max_growers_per_line": 1},
    }


def row(grower: str, canteen: str, day: str, quantity: float) -> dict[str, Any]:
    """Return one allocation row of carrots."""
    return {
        "grower": grower,
        "canteen": canteen,
        "product": "carotte",
        "day": day,
        "quantity": quantity,
    }


def test_checker_accepts_a_valid_plan_using_day_bound_stock() -> None:
    inst = parse_instance(tiny_instance())
    plan = [row("near", "a", DAY_1, 10), row("near", "b", DAY_2, 15)]
    assert check_plan(inst, plan) == []


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ([row("near", "a", DAY_1, 20)], "receives 20 > ordered 15"),
        ([row("near", "a", DAY_1, 10), row("near", "a", DAY_1, 10)], "receives 20 > ordered 15"),
        ([row("near", "a", DAY_1, 15), row("near", "b", DAY_2, 15)], "beyond its offer"),
        # 25 in all is what "near" offers, but 5 of it is for the first day only.
        ([row("near", "b", DAY_2, 25)], "beyond its offer"),
        ([row("near", "a", DAY_1, 7)], "not a multiple of the lot 5"),
        ([row("far", "b", DAY_2, 5)], "beyond max_km 30"),
        ([row("near", "a", DAY_1, 5), row("far", "a", DAY_1, 5)], "max_growers_per_line"),
        ([row("near", "c", DAY_1, 5)], "unknown canteen"),
        ([row("near", "a", DAY_2, 5)], "no order line"),
        ([row("near", "a", DAY_1, -5)], "not a non-negative number"),
    ],
)
def test_checker_catches_a_broken_plan(plan: list[dict[str, Any]], message: str) -> None:
    inst = parse_instance(tiny_instance())
    violations = check_plan(inst, plan)
    assert any(message in v for v in violations), violations


def test_checker_requires_locked_rows_kept() -> None:
    doc = tiny_instance()
    doc["locked"] = [row("near", "a", DAY_1, 10)]
    inst = parse_instance(doc)
    assert any("locked" in v for v in check_plan(inst, [row("near", "a", DAY_1, 5)]))
    assert check_plan(inst, [row("near", "a", DAY_1, 10)]) == []


def test_metrics_follow_the_spec_definitions() -> None:
    doc = tiny_instance()
    doc["growers"][0]["ledger_eur"] = 10.0
    inst = parse_instance(doc)
    m = measure_plan(inst, [row("near", "a", DAY_1, 10), row("near", "b", DAY_2, 5)])
    near_to_b_km = float(inst.distance_km[0, 1])
    assert m.served_eur == pytest.approx(30.0)
    assert m.contract_eur == pytest.approx(20.0)
    assert m.kg_km == pytest.approx(10 * 4.0 + 5 * near_to_b_km)
    # targets: 0.5 × 30 − 0.5 × 10 = 10 for near, 15 for far; near sold 30, far 0.
    assert m.share_deviation_eur == pytest.approx(20.0 + 15.0)
    assert m.deliveries == 2
    assert m.feasible


def test_lp_bound_subprocess_bounds_the_greedy_plan(tmp_path: Path) -> None:
    doc = generate_instance("luchon", "operational", 2)
    path = tmp_path / "luchon.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    greedy = measure_plan(inst, nearest_grower_first(inst))
    lp = run_method_subprocess(inst, "lp", path, tmp_path / "lp.json", 10.0)
    assert lp.bound is not None and lp.peak_mb is not None and lp.peak_mb > 0
    stages = lp.bound["stages"]
    assert stages["served"]["value"] >= greedy.served_eur - 1e-6
    assert stages["contract"]["value"] >= greedy.contract_eur - 1e-6


def test_short_runs_are_timed_again_interleaved_and_report_their_median(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solver.bench.run.SHORT_RUN_TIMINGS", 3)
    real_worker = solver.bench.run._run_worker
    calls: list[tuple[str, float]] = []

    def recording_worker(method: str, *args: Any) -> Any:
        outcome = real_worker(method, *args)
        calls.append((method, outcome["time_s"]))
        return outcome

    monkeypatch.setattr("solver.bench.run._run_worker", recording_worker)
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_instance()), encoding="utf-8")
    inst = parse_instance(tiny_instance())
    out_paths = {method: tmp_path / f"{method}.json" for method in ("greedy", "prorata")}
    runs = {
        method: run_method_subprocess(inst, method, path, out_paths[method], 5.0)
        for method in out_paths
    }
    assert all(run.timings == 1 for run in runs.values())

    retimed = time_short_runs_again(inst, runs, path, out_paths, 5.0)

    # One run of each method per round, so that a slow spell weighs on both alike.
    assert [method for method, _ in calls] == ["greedy", "prorata"] * 3
    for method, run in retimed.items():
        times = sorted(time_s for name, time_s in calls if name == method)
        assert run.timings == 3
        assert run.time_s == times[1]
        assert run.metrics == runs[method].metrics
        assert run.metrics is not None and run.metrics.feasible


def test_generic_mip_subprocess_returns_the_integer_optimum(tmp_path: Path) -> None:
    doc = tiny_instance()
    doc["orders"][0]["quantity"] = 13  # whole crates cap this line at 10
    doc["settings"]["weights"] = {"distance": 1.0, "fairness": 0.0, "deliveries": 5.0}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    mip = run_method_subprocess(inst, "mip", path, tmp_path / "mip.json", 5.0)
    assert mip.metrics is not None and mip.metrics.feasible, mip
    # "far" is out of reach, so "near" sends its 25 kg: 10 to a (crates), 15 to b.
    assert mip.metrics.served_eur == pytest.approx(50.0)
    assert mip.metrics.contract_eur == pytest.approx(20.0)
    assert mip.metrics.deliveries == 2


def test_lp_bound_is_the_relaxation_of_the_model_in_whole_crates(tmp_path: Path) -> None:
    doc = tiny_instance()
    doc["orders"][0]["quantity"] = 13  # whole crates cap this line at 10, even relaxed
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    lp = run_method_subprocess(inst, "lp", path, tmp_path / "lp.json", 5.0)
    assert lp.bound is not None
    stages = lp.bound["stages"]
    # Relaxing crates to fractions of the 13 kg line would give 26 € of contract value.
    assert stages["contract"]["value"] == pytest.approx(20.0)
    assert stages["served"]["value"] == pytest.approx(50.0)


def test_lp_relaxation_keeps_the_trip_rows(tmp_path: Path) -> None:
    doc = tiny_instance()
    doc["settings"]["weights"] = {"distance": 0.0, "fairness": 0.0, "deliveries": 5.0}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    lp = run_method_subprocess(inst, "lp", path, tmp_path / "lp.json", 5.0)
    assert lp.bound is not None
    # Near sends 15 to a (cap 15) and 10 to b (cap 20): trips ≥ 15/15 + 10/20.
    assert lp.bound["stages"]["weighted"]["value"] == pytest.approx(5.0 * 1.5)


def test_markdown_section_is_replaced_and_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text(
        "# Benchmarks\n\n## Web pages\n\nkept\n\n## Allocation solver\n\nold\n\n"
        "## Exports\n\nalso kept\n",
        encoding="utf-8",
    )
    write_section(path, "## Allocation solver\n\nnew table\n")
    text = path.read_text(encoding="utf-8")
    assert "old" not in text and "new table" in text
    assert "## Web pages\n\nkept" in text and "## Exports\n\nalso kept" in text
    assert text.index("## Web pages") < text.index("new table") < text.index("## Exports")


def plan_metrics(served: float, contract: float, kg_km: float, deviation: float) -> PlanMetrics:
    """Return measured figures of a made-up, valid plan."""
    return PlanMetrics(
        ordered_eur=1000.0,
        served_eur=served,
        contract_ordered_eur=500.0,
        contract_eur=contract,
        kg_km=kg_km,
        share_deviation_eur=deviation,
        deliveries=10,
        moved_from_previous=0.0,
        weighted=0.01 * kg_km + deviation,
        violations=(),
    )


# The LP bound's stage values in the made-up verdict cases below.
LP_STAGES = {"contract": {"value": 400.0}, "served": {"value": 900.0}, "weighted": {"value": 100.0}}


def test_verdicts_compare_the_solver_with_bound_heuristics_and_mip() -> None:
    runs = {
        "solver": MethodRun("solver", 3.0, 200.0, plan_metrics(899.0, 399.0, 5000, 60), "feasible"),
        "greedy": MethodRun("greedy", 0.1, 50.0, plan_metrics(880.0, 390.0, 4000, 90), "feasible"),
        "prorata": MethodRun(
            "prorata", 0.1, 50.0, plan_metrics(905.0, 400.0, 9000, 50), "feasible"
        ),
        "lp": MethodRun("lp", 5.0, 100.0, None, "bound", bound={"stages": LP_STAGES}),
        "mip": MethodRun(
            "mip",
            60.0,
            300.0,
            plan_metrics(899.0, 399.0, 3000, 70),
            "feasible",
            bound={"stages": {"contract": {"status": "Time limit reached"}}},
        ),
    }
    outcome = {
        v.target: v.passed for v in verdicts(InstanceRun("region", "operational", 1, "", runs))
    }
    assert outcome["rules hold"]
    assert outcome["contract value within 0.5% of LP bound"]  # 0.25% short
    assert outcome["served value within 0.5% of LP bound"]  # 0.11% short
    assert outcome["time ≤ 60 s"] and outcome["peak memory ≤ 1024 MB"]
    assert outcome["dominates (b) nearest first"]  # serves more, fairer
    assert not outcome["dominates (c) pro-rata"]  # serves less than pro-rata
    # Same values served, but the MIP's weighted sum is lower (100 vs 110).
    assert not outcome["better than the generic MIP (contract, served, then weighted)"]
    runs["mip"] = replace(runs["mip"], metrics=plan_metrics(898.0, 399.0, 3000, 70))
    outcome = {
        v.target: v.passed for v in verdicts(InstanceRun("region", "operational", 1, "", runs))
    }
    assert outcome["better than the generic MIP (contract, served, then weighted)"]


def test_bench_generate_command_writes_the_seeded_instance(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    argv = ["generate", "--scale", "luchon", "--variant", "operational", "--seed", "4"]
    assert bench_main([*argv, "-o", str(path)]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == generate_instance(
        "luchon", "operational", 4
    )


def test_verdicts_call_a_target_no_plan_can_meet_unreachable() -> None:
    mip_stages = {
        "contract": {"status": "Optimal", "value": 390.0, "bound": 390.02},
        "served": {"status": "Time limit reached", "value": 880.0, "bound": 898.0},
    }
    runs = {
        "solver": MethodRun("solver", 3.0, 200.0, plan_metrics(885.0, 390.0, 5000, 60), "feasible"),
        "lp": MethodRun("lp", 5.0, 100.0, None, "bound", bound={"stages": LP_STAGES}),
        "mip": MethodRun(
            "mip", 60.0, 300.0, plan_metrics(880.0, 390.0, 3000, 70), "feasible",
            bound={"stages": mip_stages},
        ),
    }
    found = {v.target: v for v in verdicts(InstanceRun("region", "operational", 1, "", runs))}
    contract = found["contract value within 0.5% of LP bound"]
    # 2.5% short of the LP, but the integer optimum itself is 2.5% short: no plan does better.
    assert not contract.passed and contract.unreachable
    assert "unreachable" in contract.line() and "solver's gap to it +0.0000%" in contract.line()
    served = found["served value within 0.5% of LP bound"]
    # 1.7% short, while the MIP's dual bound leaves room within 0.5%: a plain miss.
    assert not served.passed and not served.unreachable
    assert "integer bound 898.00" in served.detail
    # A MIP stopped before its dual bound beat the LP's proves nothing more: not shown.
    mip_stages["served"]["bound"] = 5000.0
    found = {v.target: v for v in verdicts(InstanceRun("region", "operational", 1, "", runs))}
    assert "integer bound" not in found["served value within 0.5% of LP bound"].detail


def test_mip_verdict_names_why_the_mip_gave_no_plan() -> None:
    runs = {
        "solver": MethodRun("solver", 3.0, 200.0, plan_metrics(885.0, 390.0, 5000, 60), "feasible"),
        "mip": MethodRun("mip", None, None, None, "timeout", error="killed after 300 s"),
    }
    found = {v.target: v for v in verdicts(InstanceRun("region", "operational", 1, "", runs))}
    verdict = found["better than the generic MIP (contract, served, then weighted)"]
    assert verdict.detail == "generic MIP found no plan (killed after 300 s)"


def test_first_and_warm_script_times_both_methods_first_then_warm() -> None:
    run = subprocess.run(
        [sys.executable, str(FIRST_AND_WARM), "--seeds", "1", "--processes", "1", "--repeats", "3"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    row = run.stdout.strip().splitlines()[-1]
    seed, solver_first, lp_first, first_ratio, solver_warm, lp_warm, warm_ratio = (
        float(cell) for cell in row.strip("|").split("|")
    )
    assert seed == 1
    assert min(solver_first, lp_first, solver_warm, lp_warm) > 0
    assert first_ratio == pytest.approx(solver_first / lp_first, abs=0.01)
    assert warm_ratio == pytest.approx(solver_warm / lp_warm, abs=0.01)


def test_first_and_warm_script_needs_a_warm_solve() -> None:
    run = subprocess.run(
        [sys.executable, str(FIRST_AND_WARM), "--repeats", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 2
    assert "--repeats" in run.stderr


def test_same_plan_check_counts_the_rows_that_differ(tmp_path: Path) -> None:
    doc = generate_instance("luchon", "continuous", 1)
    path = tmp_path / "luchon.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    first = run_method_subprocess(inst, "solver", path, tmp_path / "first.json", 5.0)
    assert first.metrics is not None
    outcome = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    rows = outcome["result"]["allocations"]
    # Another plan: one quantity changed (a row gone, a row new) and one row dropped.
    changed = [dict(rows[0], quantity=rows[0]["quantity"] + 1.0), *rows[2:]]
    outcome["result"]["allocations"] = changed
    (tmp_path / "other.json").write_text(json.dumps(outcome), encoding="utf-8")

    again, comparison = solve_again_under_load(
        inst, path, tmp_path / "other.json", tmp_path / "again.json", 5.0
    )

    assert again.metrics is not None and again.metrics.feasible
    assert comparison == PlanComparison(num_rows=len(changed), num_differing_rows=3)
    assert comparison.describe() == "no (3 rows differ)"
    again_rows = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert compare_plans(rows, again_rows["result"]["allocations"]).same


def solver_run_reporting(weighted: float, bound: float, gap: float) -> MethodRun:
    """Return a solver run whose result reports a weighted value, a bound and a gap."""
    return MethodRun(
        "solver",
        8.0,
        160.0,
        plan_metrics(899.0, 399.0, 5000, 60),
        "feasible",
        reported={"weighted": weighted, "weighted_lower_bound": bound, "gap": gap},
        cpu_s=7.5,
    )


def test_notes_under_the_table_show_the_bound_the_gap_and_the_same_plan_check() -> None:
    under_load = replace(
        solver_run_reporting(10_640.12, 9_601.99, 0.0976),
        metrics=plan_metrics(899.0, 399.0, 5100, 60),
        time_s=12.5,
    )
    first = solver_run_reporting(10_637.27, 9_601.99, 0.0973)
    run = InstanceRun(
        "mid", "operational", 1, "", {"solver": first}, under_load=under_load,
        same_plan=PlanComparison(245, 30),
    )  # fmt: skip

    notes = instance_notes(run)

    assert notes[0] == (
        "solver's own report: weighted 10 637.27, proven bound 9 601.99, gap 9.73 %"
    )
    assert notes[1] == (
        "same plan under load: no (30 rows differ; weighted 111.00 vs 110.00; solved again "
        "beside 2 busy processes: 12.500 s, CPU 7.500 s)"
    )
    found = {v.target: v for v in verdicts(run)}
    assert not found["same plan beside 2 busy processes"].passed
    section = render_section([run], "python -m solver bench", 60.0)
    table_end = section.index("| solver |")
    assert table_end < section.index("- solver's own report: weighted 10 637.27") < section.index(
        "### Verdicts"
    )
    assert "- MISS [mid/operational/seed 1] same plan beside 2 busy processes: 30 rows differ" in (
        section
    )

    # Same rows, but a bound that moved with the load is said too.
    moved = replace(under_load, reported={"weighted_lower_bound": 8_251.48})
    run = replace(run, under_load=moved, same_plan=PlanComparison(245, 0))
    assert instance_notes(run)[1] == (
        "same plan under load: yes (solved again beside 2 busy processes: 12.500 s, CPU 7.500 s; "
        "proven bound 8 251.48 the second time)"
    )
    found = {v.target: v for v in verdicts(run)}
    assert found["same plan beside 2 busy processes"].passed
    assert found["same plan beside 2 busy processes"].detail.startswith("245 rows identical")

    run = replace(run, under_load=None, same_plan=None)
    assert instance_notes(run)[1] == "same plan under load: not checked"
    assert "same plan beside 2 busy processes" not in {v.target for v in verdicts(run)}


def test_the_same_plan_check_says_which_run_reached_the_time_limit() -> None:
    first = solver_run_reporting(20_942.72, 17_839.38, 0.148)
    first = replace(first, reported={**(first.reported or {}), "time_limit_reached": True})
    under_load = replace(
        solver_run_reporting(20_931.26, 17_839.38, 0.148),
        metrics=plan_metrics(899.0, 399.0, 5100, 60),
        time_s=22.1,
    )
    run = InstanceRun(
        "department", "operational", 1, "", {"solver": first}, under_load=under_load,
        same_plan=PlanComparison(1437, 13),
    )  # fmt: skip

    assert instance_notes(run)[1].endswith(
        "CPU 7.500 s; time limit reached in the quiet run)"
    )
    verdict = {v.target: v for v in verdicts(run)}["same plan beside 2 busy processes"]
    assert not verdict.passed
    assert verdict.detail.endswith("; time limit reached in the quiet run")

    # Neither run reached it: nothing is said of the time limit.
    calm = replace(first, reported={"weighted": 20_931.26, "time_limit_reached": False})
    run = replace(run, runs={"solver": calm})
    assert "time limit" not in instance_notes(run)[1]
    verdict = {v.target: v for v in verdicts(run)}["same plan beside 2 busy processes"]
    assert "time limit" not in verdict.detail


def test_national_memory_has_a_verdict_and_no_time_target() -> None:
    solver_run = replace(solver_run_reporting(246_116.52, 246_116.52, 0.0), peak_mb=640.0)
    run = InstanceRun("national", "continuous", 1, "", {"solver": solver_run})
    found = {v.target: v for v in verdicts(run)}
    assert found["peak memory ≤ 1024 MB"].passed
    assert found["peak memory ≤ 1024 MB"].detail == "solver 640 MB"
    assert not any(target.startswith("time") for target in found)


def test_a_skipped_method_is_shown_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solver.bench.run.SHORT_RUN_TIMINGS", 1)
    skipped = ("solver", "prorata", "lp")
    reasons = {("luchon", method): f"{method} takes too long here" for method in skipped}
    monkeypatch.setattr("solver.bench.run.SKIPPED_METHODS", reasons)

    run = run_instance("luchon", "continuous", 1, tmp_path, 5.0)

    assert list(run.runs) == ["greedy"]
    assert run.skipped["lp"] == "lp takes too long here"
    assert run.under_load is None  # no solver run, nothing to solve again
    assert table_rows(run)[-1][:2] == ["(d) LP bound", "skipped"]
    assert "(d) LP bound skipped at this scale: lp takes too long here" in instance_notes(run)
    assert "- (c) pro-rata skipped at this scale: prorata takes too long here" in render_section(
        [run], "python -m solver bench", 60.0
    )
    # Named on the command line, a method runs even where it is skipped by default.
    named = run_instance("luchon", "continuous", 1, tmp_path, 5.0, ("lp",), False)
    assert list(named.runs) == ["lp"] and not named.skipped


def test_bench_writes_the_command_that_produced_the_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solver.bench.run.SHORT_RUN_TIMINGS", 1)
    markdown = tmp_path / "benchmarks.md"
    argv = [
        "--scales", "luchon", "--variants", "continuous", "--also", "luchon/operational/2",
        "--methods", "greedy", "--no-determinism", "--workdir", str(tmp_path),
        "--markdown", str(markdown),
    ]  # fmt: skip
    assert bench_main(argv) == 0
    text = markdown.read_text(encoding="utf-8")
    assert (
        "Command: `python -m solver bench --scales luchon --variants continuous --seeds 1 "
        "--also luchon/operational/2 --mip-time-limit 60 --methods greedy --no-determinism "
        f"--markdown {markdown}`"
    ) in text
    assert "### luchon / continuous / seed 1" in text
    assert "### luchon / operational / seed 2" in text


def test_notes_show_the_proven_bounds_of_stages_2_and_3() -> None:
    solver = solver_run_reporting(10_637.27, 9_601.99, 0.0973)
    reported = {
        **(solver.reported or {}), "contract_eur": 3_120.5, "contract_eur_upper_bound": 3_180.0,
        "served_eur": 9_870.25, "served_eur_upper_bound": 9_990.0,
    }
    run = InstanceRun(
        "mid", "operational", 1, "", {"solver": replace(solver, reported=reported)},
        same_plan=PlanComparison(245, 0),
    )  # fmt: skip

    assert instance_notes(run)[2] == (
        "stages 2 and 3: contract 3 120.50 € (proven at most 3 180.00 €), served 9 870.25 € "
        "(proven at most 9 990.00 €)"
    )


def test_a_scale_of_another_size_keeps_its_kind() -> None:
    spec = replace(SCALE_SPECS["department"], num_growers=12, num_canteens=6, num_products=20)
    doc = generate_instance("department", "operational", 1, spec=spec)
    solver.load(doc)
    assert (len(doc["growers"]), len(doc["canteens"]), len(doc["products"])) == (12, 6, 20)
    assert doc["settings"] == generate_instance("department", "operational", 1)["settings"]
    assert doc == generate_instance("department", "operational", 1, spec=spec)
