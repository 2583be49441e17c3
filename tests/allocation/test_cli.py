"""``pial allocate / publish / export-instance / export-result``, and reproducing a run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import AllocationRun, Platform, WeekState
from tests.allocation.scenario import Scenario


def test_cli_says_when_a_run_reached_the_time_limit(
    app: Flask, db: Session, scenario: Scenario
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["allocate", scenario.iso_week])
    assert result.exit_code == 0, result.output
    assert "Temps de calcul maximal atteint" not in result.output

    db.scalars(select(Platform)).one().time_limit_s = 0.001  # passed before any search
    db.flush()
    result = runner.invoke(args=["allocate", scenario.iso_week])

    assert result.exit_code == 0, result.output
    assert "Répartition n°2 de 2026-W48" in result.output
    assert "Temps de calcul maximal atteint : le calcul a pu être écourté" in result.output
    first, second = db.scalars(select(AllocationRun).order_by(AllocationRun.sequence))
    assert (first.time_limit_reached, second.time_limit_reached) == (False, True)


def test_cli_allocates_publishes_and_exports_a_reproducible_run(
    app: Flask, db: Session, scenario: Scenario, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["allocate", scenario.iso_week])
    assert result.exit_code == 0, result.output
    assert "Répartition n°1 de 2026-W48" in result.output
    result = runner.invoke(args=["publish", scenario.iso_week])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    assert scenario.week.state == WeekState.PUBLISHED
    run = db.scalars(select(AllocationRun)).one()

    instance_path, result_path = tmp_path / "instance.json", tmp_path / "result.json"
    assert runner.invoke(args=["export-instance", scenario.iso_week, "-o",
                               str(instance_path)]).exit_code == 0
    assert runner.invoke(args=["export-result", scenario.iso_week, "-o",
                               str(result_path)]).exit_code == 0
    assert instance_path.read_text(encoding="utf-8") == run.instance_json
    assert result_path.read_text(encoding="utf-8") == run.result_json

    solved_path = tmp_path / "solved.json"
    solved = subprocess.run(
        [sys.executable, "-m", "solver", "solve", str(instance_path), "-o", str(solved_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert solved.returncode == 0, solved.stderr
    stored, again = json.loads(run.result_json or ""), json.loads(solved_path.read_text())
    assert again["status"] == stored["status"]
    assert again["allocations"] == stored["allocations"]
    assert again["shortfalls"] == stored["shortfalls"]
    assert again["ledger_after"] == stored["ledger_after"]
    stored["metrics"].pop("solve_s"), again["metrics"].pop("solve_s")
    assert again["metrics"] == stored["metrics"]
    # The stored lines are exactly the result's allocations, with their value.
    prices = {p["id"]: p["price"] for p in json.loads(run.instance_json)["products"]}
    assert sorted(
        (f"g-{ln.farm_id}", f"c-{ln.canteen_id}", ln.product.slug, ln.day.isoformat(),
         float(ln.quantity)) for ln in run.lines
    ) == sorted(
        (row["grower"], row["canteen"], row["product"], row["day"], float(row["quantity"]))
        for row in stored["allocations"] if row["quantity"] > 0
    )
    for line in run.lines:
        assert float(line.value_eur) == pytest.approx(
            float(line.quantity) * prices[line.product.slug], abs=0.005)


def test_cli_refusals(app: Flask, scenario: Scenario, db: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["publish", scenario.iso_week])
    assert result.exit_code == 1 and "Erreur" in result.output
    result = runner.invoke(args=["export-instance", scenario.iso_week])
    assert result.exit_code == 1 and "aucune répartition" in result.output
    result = runner.invoke(args=["allocate", "2031-W02"])
    assert result.exit_code == 1


def test_cli_allocate_closes_an_open_week_first(
    app: Flask, db: Session, scenario: Scenario
) -> None:
    scenario.week.state = WeekState.OPEN
    scenario.week.closed_dt = None
    db.commit()
    result = app.test_cli_runner().invoke(args=["allocate", scenario.iso_week])
    assert result.exit_code == 0, result.output
    assert "close avant la répartition" in result.output
    db.refresh(scenario.week)
    assert scenario.week.state == WeekState.ALLOCATED
