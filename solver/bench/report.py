"""Tables, verdicts against the solver's targets, and the docs/benchmarks.md section."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.bench.determinism import BUSY_PROCESSES
from solver.bench.metrics import PlanMetrics
from solver.bench.run import (
    HEURISTICS,
    METHOD_LABELS,
    SHORT_RUN_S,
    SHORT_RUN_TIMINGS,
    InstanceRun,
    MethodRun,
)

SECTION_HEADING = "## Allocation solver"
REL_TOL = 1e-6
MIP_REL_GAP = 1e-4  # HiGHS's default relative MIP gap

CONTINUOUS_TIME_S = {"luchon": 0.2, "mid": 1.0, "department": 2.0, "region": 10.0}
OPERATIONAL_TIME_S = {"department": 10.0, "region": 60.0}
# The solver's peak memory targets; the for national: a continuous 1000 × 1000 week.
MEMORY_TARGET_MB = {"region": 1024.0, "national": 1024.0}

COLUMNS = (
    "method",
    "status",
    "served €",
    "contract €",
    "kg·km",
    "share dev €",
    "trips",
    "weighted",
    "time s",
    "cpu s",
    "peak MB",
    "Δserved",
    "Δcontract",
    "Δweighted",
    "rules",
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One target checked on one instance."""

    instance: str
    target: str
    passed: bool
    detail: str
    # A missed target that no plan can meet on this instance (proved by an integer bound).
    unreachable: bool = False

    def line(self) -> str:
        """Return the verdict as one printable line."""
        outcome = "PASS" if self.passed else "MISS"
        if self.unreachable:
            outcome += " (unreachable by any plan)"
        return f"{outcome} [{self.instance}] {self.target}: {self.detail}"


def bound_values(run: InstanceRun) -> dict[str, float | None]:
    """Return the LP bound's stage values (None where the LP failed)."""
    lp = run.runs.get("lp")
    stages = (lp.bound or {}).get("stages", {}) if lp else {}
    return {
        name: (stages.get(name) or {}).get("value") for name in ("contract", "served", "weighted")
    }


def table_rows(run: InstanceRun) -> list[list[str]]:
    """Return one row of formatted cells per method."""
    bound = bound_values(run)
    rows = []
    for method, m in run.runs.items():
        label = METHOD_LABELS.get(method, method)
        time_cell = _num(m.time_s, 3 if (m.time_s or 0) < 10 else 1)
        cpu_cell = _num(m.cpu_s, 3 if (m.cpu_s or 0) < 10 else 1)
        memory_cell = _num(m.peak_mb, 0)
        if method == "lp" and m.bound:
            b = m.bound
            rows.append(
                [
                    label,
                    "bound",
                    _num(bound["served"], 2),
                    _num(bound["contract"], 2),
                    _num(b.get("kg_km"), 0),
                    _num(b.get("share_deviation_eur"), 2),
                    _num(b.get("deliveries"), 1),
                    _num(bound["weighted"], 2),
                    time_cell,
                    cpu_cell,
                    memory_cell,
                    "",
                    "",
                    "",
                    "relaxed",
                ]
            )
            continue
        if m.metrics is None:
            rows.append(
                [
                    label,
                    m.status,
                    *[""] * 6,
                    time_cell,
                    cpu_cell,
                    memory_cell,
                    "",
                    "",
                    "",
                    (m.error or "")[:60],
                ]
            )
            continue
        x = m.metrics
        rows.append(
            [
                label,
                _status(m),
                _num(x.served_eur, 2),
                _num(x.contract_eur, 2),
                _num(x.kg_km, 0),
                _num(x.share_deviation_eur, 2),
                str(x.deliveries),
                _num(x.weighted, 2),
                time_cell,
                cpu_cell,
                memory_cell,
                _pct(_shortfall(bound["served"], x.served_eur)),
                _pct(_shortfall(bound["contract"], x.contract_eur)),
                _pct(_excess(bound["weighted"], x.weighted)),
                "ok" if x.feasible else f"{len(x.violations)} broken",
            ]
        )
    for method in run.skipped:
        rows.append([METHOD_LABELS.get(method, method), "skipped", *[""] * (len(COLUMNS) - 2)])
    return rows


def instance_notes(run: InstanceRun) -> list[str]:
    """Return the lines shown under an instance's table: the solver's own bound and gap,
    whether it gave the same plan under load, and why any method was skipped."""
    notes = []
    solver = run.runs.get("solver")
    if solver is not None and solver.metrics is not None:
        reported = solver.reported or {}
        gap = reported.get("gap")
        notes += [
            f"solver's own report: weighted {_num(reported.get('weighted'), 2) or '?'}, proven "
            f"bound {_num(reported.get('weighted_lower_bound'), 2) or 'none'}, gap "
            f"{_num(100 * gap if gap is not None else None, 2) or '?'} %",
            f"same plan under load: {describe_same_plan(run)}",
        ]
        if reported.get("contract_eur_upper_bound") is not None:
            notes.append(
                f"stages 2 and 3: contract {_num(reported.get('contract_eur'), 2)} € (proven "
                f"at most {_num(reported['contract_eur_upper_bound'], 2)} €), served "
                f"{_num(reported.get('served_eur'), 2)} € (proven at most "
                f"{_num(reported.get('served_eur_upper_bound'), 2)} €)"
            )
    notes += [
        f"{METHOD_LABELS.get(method, method)} skipped at this scale: {reason}"
        for method, reason in run.skipped.items()
    ]
    return notes


def describe_same_plan(run: InstanceRun) -> str:
    """Say whether the solver's second run, beside busy processes, gave the first run's plan."""
    again = run.under_load
    first = run.runs["solver"].metrics if "solver" in run.runs else None
    if again is None or first is None:
        return "not checked"
    if run.same_plan is None or again.metrics is None:
        return f"no plan the second time ({again.status}: {again.error})"
    details = [
        f"solved again beside {BUSY_PROCESSES} busy processes: {_num(again.time_s, 3)} s, "
        f"CPU {_num(again.cpu_s, 3)} s"
    ]
    if not run.same_plan.same:
        details[:0] = [
            f"{run.same_plan.num_differing_rows} rows differ",
            f"weighted {_num(again.metrics.weighted, 2)} vs {_num(first.weighted, 2)}",
        ]
    reached = _time_limit_reached_in(run)
    if reached:
        details.append(reached)
    # The rows are the check; a bound that moved with the load is worth saying too.
    bound = (run.runs["solver"].reported or {}).get("weighted_lower_bound")
    bound_again = (again.reported or {}).get("weighted_lower_bound")
    if bound_again != bound:
        details.append(f"proven bound {_num(bound_again, 2) or 'none'} the second time")
    return f"{'yes' if run.same_plan.same else 'no'} ({'; '.join(details)})"


def _status(m: MethodRun) -> str:
    if m.method == "mip" and m.bound:
        statuses = {s.get("status") for s in m.bound.get("stages", {}).values()}
        return "optimal" if statuses == {"Optimal"} else "time limit"
    return m.status


def _shortfall(bound: float | None, value: float) -> float | None:
    return (bound - value) / abs(bound) * 100 if bound else None


def _excess(bound: float | None, value: float) -> float | None:
    return (value - bound) / abs(bound) * 100 if bound else None


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.4f}%"


def format_table(rows: list[list[str]], markdown: bool) -> str:
    """Lay the rows out as aligned text, or as a Markdown table."""
    if markdown:
        lines = [
            "| " + " | ".join(COLUMNS) + " |",
            "|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(COLUMNS, widths, strict=True))
        )
    ]
    lines += [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    return "\n".join(lines)


def verdicts(run: InstanceRun) -> list[Verdict]:
    """Check the solver's targets on one instance."""
    name = f"{run.scale}/{run.variant}/seed {run.seed}"
    solver = run.runs.get("solver")
    if solver is None:
        return []
    if solver.metrics is None:
        return [Verdict(name, "solver returns a plan", False, f"{solver.status}: {solver.error}")]
    x = solver.metrics
    bound = bound_values(run)
    out = [
        Verdict(
            name,
            "rules hold",
            x.feasible,
            "all rules of the spec kept" if x.feasible else "; ".join(x.violations[:3]),
        )
    ]
    if run.variant == "continuous":
        out += _gap_verdicts(name, x, bound, 0.01, 0.1) if "lp" in run.runs else []
        limit_s = CONTINUOUS_TIME_S.get(run.scale)
        lp = run.runs.get("lp")
        lp_s = lp.time_s if lp else None
        ok = (
            solver.time_s is not None
            and solver.time_s <= (limit_s or float("inf"))
            and (lp_s is None or solver.time_s <= lp_s)
        )
        if limit_s is not None or lp_s is not None:
            out.append(
                Verdict(
                    name,
                    (f"time ≤ {limit_s:g} s and " if limit_s is not None else "time ")
                    + "≤ HiGHS LP",
                    ok,
                    f"solver {_num(solver.time_s, 3)} s (CPU {_num(solver.cpu_s, 3)} s), LP "
                    f"bound {_num(lp_s, 3) or 'not run'} s "
                    f"(CPU {_num(lp.cpu_s if lp else None, 3)} s)",
                )
            )
    else:
        if "lp" in run.runs:
            out += _gap_verdicts(name, x, bound, 0.5, None, run.runs.get("mip"))
        if "mip" in run.runs:
            out.append(_mip_verdict(name, x, run.runs["mip"]))
        if run.scale in OPERATIONAL_TIME_S:
            limit_s = OPERATIONAL_TIME_S[run.scale]
            ok = solver.time_s is not None and solver.time_s <= limit_s
            out.append(
                Verdict(
                    name,
                    f"time ≤ {limit_s:g} s",
                    ok,
                    f"solver {_num(solver.time_s, 3)} s (CPU {_num(solver.cpu_s, 3)} s)",
                )
            )
    if run.scale in MEMORY_TARGET_MB:
        limit_mb = MEMORY_TARGET_MB[run.scale]
        ok = solver.peak_mb is not None and solver.peak_mb <= limit_mb
        out.append(
            Verdict(
                name,
                f"peak memory ≤ {limit_mb:g} MB",
                ok,
                f"solver {_num(solver.peak_mb, 0)} MB",
            )
        )
    if run.under_load is not None:
        out.append(_same_plan_verdict(name, run))
    if solver.reported is not None:
        out.append(_reported_metrics_verdict(name, x, solver.reported))
        if run.variant == "operational":
            out.append(_reported_bound_verdict(name, x, solver.reported))
    for heuristic in HEURISTICS:
        other = run.runs.get(heuristic)
        if other is not None and other.metrics is not None:
            out.append(_dominance_verdict(name, x, other))
    return out


def _same_plan_verdict(name: str, run: InstanceRun) -> Verdict:
    """Check that the solver's second run, beside busy processes, returned the same rows."""
    again = run.under_load
    assert again is not None
    target = f"same plan beside {BUSY_PROCESSES} busy processes"
    if run.same_plan is None:
        return Verdict(
            name, target, False, f"no plan the second time ({again.status}: {again.error})"
        )
    detail = (
        f"{run.same_plan.num_rows} rows identical"
        if run.same_plan.same
        else f"{run.same_plan.num_differing_rows} rows differ"
    )
    reached = _time_limit_reached_in(run)
    return Verdict(
        name,
        target,
        run.same_plan.same,
        f"{detail}; second run {_num(again.time_s, 3)} s (CPU {_num(again.cpu_s, 3)} s)"
        + (f"; {reached}" if reached else ""),
    )


def _time_limit_reached_in(run: InstanceRun) -> str:
    """Say which of the solver's two runs passed its time limit (`time_limit_reached`: the
    safety net may have cut it short, so its plan may depend on the load), or ""."""
    runs = (("quiet", run.runs.get("solver")), ("loaded", run.under_load))
    reached = [
        label for label, method_run in runs
        if method_run is not None and (method_run.reported or {}).get("time_limit_reached")
    ]
    return f"time limit reached in the {' and '.join(reached)} run" if reached else ""


def _reported_bound_verdict(name: str, x: PlanMetrics, reported: dict[str, Any]) -> Verdict:
    """Check that an operational result reports a proven bound at most its measured weighted
    value, and show the gap it claims (the target: at most 10 %)."""
    bound = reported.get("weighted_lower_bound")
    gap = reported.get("gap")
    ok = bound is not None and bound <= x.weighted * (1 + REL_TOL) + REL_TOL
    return Verdict(
        name,
        "proven bound reported, gap ≤ 10 %",
        ok and gap is not None and gap <= 0.10,
        f"weighted {_num(x.weighted, 2)}, bound {_num(bound, 2) or 'none'}, gap "
        f"{_num(100 * gap if gap is not None else None, 1) or '?'} %",
    )


def _gap_verdicts(
    name: str,
    x: PlanMetrics,
    bound: dict[str, float | None],
    served_pct: float,
    weighted_pct: float | None,
    mip: MethodRun | None = None,
) -> list[Verdict]:
    out = []
    for stage, value in (("contract", x.contract_eur), ("served", x.served_eur)):
        gap = _shortfall(bound[stage], value)
        detail = f"gap {_pct(gap)} ({_num(value, 2)} vs {_num(bound[stage], 2)})"
        passed = gap is not None and gap <= served_pct + 1e-9
        evidence, unreachable = _integer_evidence(stage, value, bound[stage], served_pct, mip)
        out.append(
            Verdict(
                name,
                f"{stage} value within {served_pct:g}% of LP bound",
                passed,
                detail + evidence,
                unreachable=unreachable and not passed,
            )
        )
    if weighted_pct is not None:
        gap = _excess(bound["weighted"], x.weighted)
        out.append(
            Verdict(
                name,
                f"weighted within {weighted_pct:g}% of LP optimum",
                gap is not None and gap <= weighted_pct + 1e-9,
                f"gap {_pct(gap)} ({_num(x.weighted, 2)} vs {_num(bound['weighted'], 2)})",
            )
        )
    return out


def _integer_evidence(
    stage: str, value: float, lp_bound: float | None, target_pct: float, mip: MethodRun | None
) -> tuple[str, bool]:
    """Describe what the generic MIP proves about a stage, and whether it puts the target out
    of reach: its dual bound caps every plan that reaches the earlier stages' optima.

    A served-stage bound holds for plans keeping the MIP's contract value, which every plan
    with the optimal contract value does.
    """
    mip_stage = ((mip.bound or {}).get("stages", {}).get(stage) or {}) if mip else {}
    dual = mip_stage.get("bound")
    if mip_stage.get("status") == "Optimal" and mip_stage.get("value") is not None:
        optimum = float(mip_stage["value"])
        text = (
            f"; integer optimum {_num(optimum, 2)} (generic MIP, proven within 0.01%), "
            f"solver's gap to it {_pct(_shortfall(optimum, value))}"
        )
    elif dual is not None and (lp_bound is None or dual < lp_bound):
        # A dual bound no tighter than the LP's (the MIP stopped early) proves nothing more.
        text = (
            f"; integer bound {_num(dual, 2)} (generic MIP's dual bound), "
            f"solver's gap to it {_pct(_shortfall(dual, value))}"
        )
    else:
        return "", False
    # The dual bound, not the incumbent, caps every plan (a proven optimum is within the gap).
    cap = dual if dual is not None else float(mip_stage["value"]) * (1 + MIP_REL_GAP)
    beyond = _shortfall(lp_bound, cap)
    unreachable = beyond is not None and beyond > target_pct + 1e-9
    if unreachable:
        text += (
            f"; no plan can be within {target_pct:g}%: every plan is at least "
            f"{_pct(beyond)} below the LP bound"
        )
    return text, unreachable


def lexicographic_key(m: PlanMetrics) -> tuple[float, float, float]:
    """Order plans as the spec does: more contract value, more value served, less weighted."""
    return (m.contract_eur, m.served_eur, -m.weighted)


def better_than(a: PlanMetrics, b: PlanMetrics) -> bool:
    """Tell whether plan a beats plan b in the spec's lexicographic order (with a tolerance)."""
    for va, vb in zip(lexicographic_key(a), lexicographic_key(b), strict=True):
        if abs(va - vb) > REL_TOL * max(1.0, abs(va), abs(vb)):
            return va > vb
    return False


def _mip_verdict(name: str, x: PlanMetrics, mip: MethodRun) -> Verdict:
    target = "better than the generic MIP (contract, served, then weighted)"
    if mip.metrics is None:
        why = f"in {_num(mip.time_s, 1)} s" if mip.time_s is not None else f"({mip.error})"
        return Verdict(name, target, True, f"generic MIP found no plan {why}")
    y = mip.metrics
    detail = (
        f"contract {_num(x.contract_eur, 2)} vs {_num(y.contract_eur, 2)}, served "
        f"{_num(x.served_eur, 2)} vs {_num(y.served_eur, 2)}, weighted "
        f"{_num(x.weighted, 2)} vs {_num(y.weighted, 2)}"
    )
    if not y.feasible:
        return Verdict(name, target, x.feasible, detail + " (the MIP's plan breaks rules)")
    if better_than(x, y):
        return Verdict(name, target, True, detail)
    # A MIP proven optimal can only be matched: equal within its default relative gap passes.
    proven = _status(mip) == "optimal"
    tie = not better_than(y, x) or (
        abs(x.contract_eur - y.contract_eur) <= REL_TOL * max(1.0, y.contract_eur)
        and abs(x.served_eur - y.served_eur) <= REL_TOL * max(1.0, y.served_eur)
        and x.weighted <= y.weighted * (1 + MIP_REL_GAP)
    )
    return Verdict(
        name,
        target,
        proven and tie,
        detail + (" (ties the MIP's proven optimum)" if proven and tie else ""),
    )


def _reported_metrics_verdict(name: str, x: PlanMetrics, reported: dict[str, Any]) -> Verdict:
    """Compare the metrics the solver reports with the bench's own recomputation."""
    pairs = {
        "served_eur": x.served_eur,
        "kg_km": x.kg_km,
        "share_deviation_eur": x.share_deviation_eur,
        "deliveries": float(x.deliveries),
    }
    differ = [
        f"{key} {reported.get(key)!r} vs {value:.2f}"
        for key, value in pairs.items()
        if not isinstance(reported.get(key), int | float)
        or abs(reported[key] - value) > 1e-4 * max(1.0, abs(value))
    ]
    return Verdict(
        name,
        "reported metrics match the bench's",
        not differ,
        "; ".join(differ) or "served €, kg·km, share deviation and trips agree",
    )


def _dominance_verdict(name: str, x: PlanMetrics, other: MethodRun) -> Verdict:
    assert other.metrics is not None
    h = other.metrics
    serves_no_less = x.served_eur >= h.served_eur * (1 - 1e-9)
    cheaper = x.kg_km < h.kg_km or x.share_deviation_eur < h.share_deviation_eur
    return Verdict(
        name,
        f"dominates {METHOD_LABELS[other.method]}",
        serves_no_less and cheaper,
        f"served {_num(x.served_eur, 2)} vs {_num(h.served_eur, 2)}, kg·km "
        f"{_num(x.kg_km, 0)} vs {_num(h.kg_km, 0)}, share dev "
        f"{_num(x.share_deviation_eur, 2)} vs {_num(h.share_deviation_eur, 2)}",
    )


def machine_note() -> str:
    """Describe the machine: cores, CPU model, Python, date."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"nproc {len(os.sched_getaffinity(0))}, {model}, Python {platform.python_version()}, "
        f"{today}, load average {os.getloadavg()[0]:.1f} at the end of the run (the machine is "
        f"shared: times grow with the load)"
    )


def code_note() -> str:
    """Name the commit the bench ran on, and whether the solver had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "solver"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"commit {head}" + (" with uncommitted changes under solver/" if dirty.strip() else "")


def render_section(runs: list[InstanceRun], command: str, mip_time_limit_s: float) -> str:
    """Return the whole "## Allocation solver" section in Markdown."""
    parts = [
        SECTION_HEADING,
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine_note()}  ",
        f"Code: {code_note()}",
        "",
        "- **Instances** (`solver.bench.generate`, reproducible from the seed): *luchon* = 6 "
        "farms on real communes of the Luchon valley, 2 canteens, 30 products, road distances "
        "given; *mid* = 25 growers × 20 canteens × 50 products over ~60 × 60 km, max 50 km "
        "(about 2,500 grower–line pairs when operational); *department* = 50 growers × 40 "
        "canteens × 60 products over ~100 × 100 km, max 80 km; *region* = 200 × 200 × 80 over "
        "~200 × 300 km, growers offering ~25% of the products, canteens ordering ~30%, max "
        "60 km; *national* = 1000 × 1000 × 80 over ~400 × 400 km, max 60 km (the memory "
        "target: a continuous week of 1000 × 1000 in ≤ 1 GB). Two delivery days, ~30% contract "
        "lines, offer per product 0.55–1.35 × demand. *continuous*: no lots, no trip cost, no "
        "cap on growers per line; *operational*: crates (`lot`), 20 per trip, at most 3 "
        "growers per line. Weights: 0.01 per kg·km, 1 per € of share deviation.",
        "- **Methods**: *solver* = `solver.solve_json(doc)` (read, validate, solve); (b) "
        "nearest grower first and (c) pro-rata split of each line over the eligible growers' "
        "remaining offers (contract lines first, rules kept); (e) HiGHS's MIP given the whole "
        "model (quantity per offer and line, crates per grower and line, switches x ≤ M·y with "
        "M the most a pair carries in whole crates and Σy ≤ cap, trips x ≤ M·t; line and offer "
        "limits in whole crates), stage by stage (each stage gets an equal share of the time "
        f"left), {mip_time_limit_s:g} s in total; the next stage keeps the previous one's value; "
        "(d) the LP relaxation of that same model (crates, switches and trips continuous) by "
        "HiGHS, stage by stage: a bound on every plan (on continuous weeks, the exact optimum). "
        "A method too slow or too memory hungry at a scale (beyond ~2 minutes or 2 GB) is "
        "skipped there, and the reason is given under the table.",
        "- **Measures**: each method runs in a fresh Python process; *time s* (wall clock) covers "
        "reading the JSON document into the method's model and solving, not interpreter start-up "
        "or imports; *cpu s* is the process's CPU time over the same span (HiGHS may use two "
        "threads); a method that takes less than "
        f"{SHORT_RUN_S:g} s is run {SHORT_RUN_TIMINGS} times, each in a fresh process, in "
        "rounds of one run of each such method (a slow spell of the shared machine weighs on "
        "all alike), and both times are the median of those runs (the plan is the first "
        "run's); "
        "*peak MB* is that process's `ru_maxrss`. Every plan is measured and checked by the "
        "same code (`solver.bench.metrics`): *weighted* = distance × kg·km + fairness × share "
        "deviation + deliveries × trips; *rules* = the spec's feasibility rules, all checked.",
        "- **Under each table**: the solver's own report (its weighted value, the proven lower "
        "bound on it and the gap between them, `metrics.weighted_lower_bound` and "
        "`metrics.gap`), and *same plan under load*: the solver solves the week a second time "
        f"in a fresh process while {BUSY_PROCESSES} other processes keep the CPUs busy, and the "
        "two plans' rows (grower, canteen, product, day, quantity) are compared one by one; "
        "*N rows differ* counts the rows found in one plan and not in the other.",
        "- **Gaps** to the LP bound (d): Δserved/Δcontract = how much less value than the bound; "
        "Δweighted = how much more than the LP's weighted optimum (on operational weeks a loose "
        "bound, since crates, switches and trips are fractional there). Where the generic MIP "
        "proves an integer optimum or a dual bound, the verdicts show the solver's gap to it, "
        "and a target that this bound puts out of reach of every plan is marked *unreachable*.",
        "",
    ]
    for run in runs:
        notes = [f"- {note}" for note in instance_notes(run)]
        parts += [
            f"### {run.scale} / {run.variant} / seed {run.seed}",
            "",
            run.size,
            "",
            format_table(table_rows(run), markdown=True),
            "",
            *([*notes, ""] if notes else []),
        ]
    parts += ["### Verdicts", ""]
    parts += [f"- {v.line()}" for run in runs for v in verdicts(run)]
    return "\n".join(parts) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the "## Allocation solver" section of a Markdown file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION_HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def summary(runs: list[InstanceRun]) -> dict[str, Any]:
    """Return counts of passed and missed targets."""
    all_verdicts = [v for run in runs for v in verdicts(run)]
    return {
        "passed": sum(v.passed for v in all_verdicts),
        "missed": sum(not v.passed for v in all_verdicts),
    }
