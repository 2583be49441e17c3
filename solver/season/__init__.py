"""The season models: demand forecast, supply model, scenarios, season plan, lot commitment.

Pure numpy (and OR-Tools' GLOP for the plan): frozen dataclasses in, results out, no Flask nor
SQLAlchemy. ``pial/season/seam.py`` is the one place that turns database rows into these inputs.
Importing ``solver`` does not import this subpackage (numpy stays unloaded for the weekly
allocation); import ``solver.season`` explicitly.

- ``history``: the records the models learn from (orders, offers, losses) and the season weeks;
- ``forecast``: demand per canteen, product and week, with its quantiles, and its backtest;
- ``supply``: what each grower can offer of each product through the season, with its spread;
- ``scenarios``: sampled seasons of demand and of supply (crop failures included);
- ``plan``: the stochastic season plan (GLOP, CVaR coverage cuts over the scenarios);
- ``commit``: the Monte Carlo answer to a tender lot (committable volumes, shares, risk);
- ``generate``: synthetic department-scale histories with a known truth, for the benchmark.
"""

from __future__ import annotations

from solver.season.commit import (
    Commitment,
    CommitProblem,
    LevelVolume,
    LineCommitment,
    LotLine,
    MemberShare,
    commit_lot,
    level_error_scale,
)
from solver.season.forecast import (
    BacktestReport,
    DemandForecast,
    DemandModel,
    backtest_forecast,
    fit_demand,
    forecast_demand,
    predicted_closures,
)
from solver.season.history import (
    CanteenInfo,
    ContractVolume,
    GrowerInfo,
    History,
    ProductInfo,
    Record,
    month_of_week,
    season_weeks,
)
from solver.season.plan import (
    AdvanceProposal,
    CropCapacity,
    PlanLock,
    PlannedVolume,
    PlanProblem,
    PlanResult,
    PlanSettings,
    propose_advances,
    solve_plan,
)
from solver.season.supply import GrowerSupply, SupplyModel, fit_supply

__all__ = [
    "AdvanceProposal",
    "BacktestReport",
    "CanteenInfo",
    "CommitProblem",
    "Commitment",
    "ContractVolume",
    "CropCapacity",
    "DemandForecast",
    "DemandModel",
    "GrowerInfo",
    "GrowerSupply",
    "History",
    "LevelVolume",
    "LineCommitment",
    "LotLine",
    "MemberShare",
    "PlanLock",
    "PlanProblem",
    "PlanResult",
    "PlanSettings",
    "PlannedVolume",
    "ProductInfo",
    "Record",
    "SupplyModel",
    "backtest_forecast",
    "commit_lot",
    "fit_demand",
    "fit_supply",
    "forecast_demand",
    "level_error_scale",
    "month_of_week",
    "predicted_closures",
    "propose_advances",
    "season_weeks",
    "solve_plan",
]
