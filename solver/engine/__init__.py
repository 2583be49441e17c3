"""The optimisation engine: `solve(problem) -> Result` for the `pial-allocation/1` format.

Method
------
1. **Index** (`index.py`): order lines of the same (canteen, product, day) are merged (a plan
   row cannot tell them apart; a merged line serves its contract orders first). A variable
   exists only for an *allowed pair* (grower, line): the grower offers the product for that
   day or for any day, and the distance (`distance_km`) is within `max_km`. Locked rows fix
   their pair; contradictory locked rows make the week `infeasible`, with the reasons in
   `Result.errors`.
2. **Stages 2–3** (`served.py`): every rule concerns one product, so per product a max flow
   to contract lines, augmented to all lines, gives both optima exactly (in whole lots when
   the product has a lot); a min-cost flow with those amounts gives a first complete plan,
   cheapest in kg·km (and in moves from the previous plan). A continuous week puts all its
   products in one network (they share no node) and computes that first plan only if
   stage 4 fails. A plan breaking
   `max_growers_per_line` is repaired by blocking, on each line over the limit, all but its
   largest growers and recomputing the flows; if that loses value against the flow bound, a
   small MIP per product (contract, then total) tries to prove or beat it, within a share of
   the time limit. The repaired flow plan is always kept as the fallback.
3. **Stage 4** (`model.py`): each product keeps its served optima and the weighted sum of
   kg·km, fairness gaps, trips and moves is minimised. Since the value served is fixed, each
   grower's fairness target is a constant and |gap| is linear.
   - Continuous weeks (no lot, no trip cost, no grower limit): one min-cost flow
     (`weighted_flow.py`). With every product's total fixed, the value served is fixed, so a
     fairness gap costs, up to a constant, twice its weight on value sold beyond the target;
     counting each product's flow in units of equal value makes value sold a flow through one
     node per grower. Quantities are exact integers of flow; costs are rounded to a millionth
     of the largest. Weeks whose prices have more than 4 decimals, or too large for 64-bit
     costs, are solved as one LP instead: GLOP's dual simplex when small
     (≤ `SMALL_LP_MAX_VARIABLES` variables), else HiGHS's.
   - Integer weeks: the LP without the integer rules guides a rounding (each pair keeps its
     fractional quantity rounded down to whole lots, the largest growers of a line within the
     grower limit; a min-cost flow places the missing lots). `trip_scaling.py` solves that
     LP again six times with each trip's cost spread per kg over what it carried the round
     before (dynamic slope scaling), so that kg gather on fewer trips, and rounds each, a
     pair on a trip not yet made costing its charge more. A week small enough for its time
     limit (`solve.joint_guide_max_pairs`: 10,000 pairs at 10 s, 15,000 at 20 s) then waits
     for the LP of trips and quantities together (the bound's, below), which makes far fewer
     trips, and rounds a plan from it too. The best plan of all is the first plan.
     `trips.py` greedily closes trips whose load other growers already driving
     there can carry more cheaply. A small week (≤ `WHOLE_MIP_MAX_PAIRS` pairs) then gets
     one MIP over all its pairs, limited in nodes: a plan it proves optimal is returned at
     once. Otherwise `search.py` re-solves neighbourhoods as exact MIPs, keeping each one's
     served amounts:
     groups of three nearby growers across every canteen they serve (the other growers'
     quantities kept), then nearby canteens, then groups again, until its work budget is spent
     or no neighbourhood improves the plan. Then `trips.py` exchanges quantities across
     canteens to close small trips (a grower alone at a canteen with one product hands it to a
     grower already driving there, and takes that grower's quantity of the same product
     elsewhere): moves a neighbourhood of nearby canteens cannot make; and `open_trips.py`
     re-solves groups of nearby canteens exactly on the trips the plan already makes (a much
     smaller MIP that may close trips but opens none). Last, `trip_scaling.py` charges the
     LP with the finished plan's trip loads, rounds it and finishes that plan the same way
     (exchanges, re-solve on open trips): kept if better, and again from it, twice at most.
     Then `search.improve_by_products` re-solves each product's lines across every canteen,
     the other products kept (a trip they make costs nothing more), products on the plan's
     smallest trips first, pass after pass while a pass improves the plan, within a work
     budget: it moves a product onto trips the others make, across canteens far apart. Then
     `search.improve_by_small_trips` re-solves, grower by grower, the products its small
     trips carry, together (everywhere if their lines are few, else where the grower
     drives), with a budget of its own: two products sharing a trip move at once. Last,
     `search.improve_by_closing_trips` takes the trips carrying at most five pairs, lightest
     first, and re-solves all the products each carries across every canteen on the other
     trips the plan makes (a maximum flow first skips the trips whose products those trips
     cannot carry): a product's kg then move along chains (a grower takes over at another
     canteen, which frees its offer for this one), and a trip closes whatever it carries.
     The better plan of the MIP's and the heuristic path's is kept (no cliff). Every MIP
     starts from the best plan known when it starts (`linear.py` hands MIPs to HiGHS through
     highspy, which takes a starting solution), so none returns a worse plan than the one it
     was asked to improve.
   - Every integer week reports a proven lower bound on stage 4 (`bound.py`: that LP plus the
     fewest trips each canteen-day needs, the LP of trips and quantities together, and the
     whole MIP's dual bound when it ran), as `metrics.weighted_lower_bound` with
     `metrics.gap`. The fewest trips and the LP of trips, seconds long on a department week,
     are computed in a thread of their own beside the plan's search (HiGHS lets go of
     Python's lock), on the machine's other core; only the weeks above wait for them.
   - Determinism: every search is limited in work (MIP nodes, pairs re-solved, one HiGHS
     thread, a fixed seed), never in seconds, so a week gives the same plan whatever the
     machine's load; `settings.time_limit_s` is only a safety net, read on the solving
     thread's CPU time (`clock.py`). The result says whether the thread passed it
     (`metrics.time_limit_reached`): a plan cut short may differ from one run to the next.
4. **Report** (`report.py`): allocation rows, shortfalls per order line, metrics and ledgers.

Status: `optimal` when every stage is proven optimal (stage 4 within `OPTIMAL_GAP` of its
proven bound), `feasible` for a valid plan without that proof (work limit, or local search at
scale), `infeasible` for contradictory locks (the
reasons, in French, in `Result.errors`).
Solver tolerances (HiGHS, 1e-7) apply to served amounts and capacities, and the
continuous stage 4's costs are exact to a millionth of the largest; quantities are
reported to 9 decimals. A locked row of quantity 0 forbids its pair. With no `previous`
plan, nothing counts as moved. `settings.time_limit_s` bounds the whole solve, of which
`REPORT_TIME_SHARE` is kept for writing the result; flows cannot be interrupted, so the
max flows of stages 2–3 and a continuous week's min-cost flow always run to their end
(a continuous region-scale week takes 0.9 s in all on the bench machine).

Reusable helpers for `explain` and `bench`: `distance_km`, `grower_shares`,
`fairness_targets_eur`, `index_problem`, `evaluate`.
"""

from solver.engine.geography import distance_km
from solver.engine.index import ProblemIndex, index_problem
from solver.engine.report import PlanCost, evaluate
from solver.engine.solve import solve
from solver.geography import haversine_km
from solver.shares import fairness_targets_eur, grower_shares

__all__ = [
    "PlanCost",
    "ProblemIndex",
    "distance_km",
    "evaluate",
    "fairness_targets_eur",
    "grower_shares",
    "haversine_km",
    "index_problem",
    "solve",
]
