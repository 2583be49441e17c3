"""The fairness ledger explained per farm and week, with receipt corrections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.runs import published_run
from pial.models import LedgerEntry, LedgerKind
from pial.money.ledger import farm_ledger, ledger_overview
from tests.allocation.scenario import MONDAY, Scenario
from tests.money.conftest import deliver


def test_each_week_explains_allocation_target_and_corrections(
    db: Session, scenario: Scenario
) -> None:
    deliver(scenario, short_by={0: "2"})
    run = published_run(scenario.week)
    assert run is not None
    short_line = min(run.lines, key=lambda ln: ln.id)
    farm_id = short_line.farm_id

    ledger = farm_ledger(farm_id, scenario.lead, day=MONDAY)
    (week,) = ledger.weeks
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.farm_id == farm_id)
                         .order_by(LedgerEntry.id)).all()
    assert week.entries == list(entries)
    assert week.allocated_eur == sum(ln.value_eur for ln in run.lines if ln.farm_id == farm_id)
    assert week.week_total_eur == sum(ln.value_eur for ln in run.lines)
    allocation = sum(e.amount_eur for e in entries if e.kind == LedgerKind.ALLOCATION)
    corrections = [e for e in entries if e.kind == LedgerKind.RECEIPT_CORRECTION]
    assert week.delta_eur == allocation
    assert week.target_eur == week.allocated_eur - allocation
    assert len(corrections) == 1 and week.corrections_eur == corrections[0].amount_eur < 0
    assert "2 reçus" in (corrections[0].note or "")  # the reason is shown with the entry
    assert week.balance_eur == entries[-1].balance_after_eur == ledger.balance_eur
    assert ledger.balance_eur == allocation + week.corrections_eur


def test_season_shares_add_up_to_one(db: Session, scenario: Scenario) -> None:
    deliver(scenario)
    summaries = ledger_overview(scenario.lead, day=MONDAY)
    shares = [s.share for s in summaries if s.share is not None]
    assert shares and abs(sum(shares, Decimal(0)) - 1) < Decimal("0.000001")


def test_accrue_command(app: Any, db: Session, scenario: Scenario) -> None:
    deliver(scenario)
    result = app.test_cli_runner().invoke(args=["money", "accrue", scenario.iso_week])
    assert result.exit_code == 0, result.output
    assert "vente(s) comptabilisée(s)" in result.output
    refused = app.test_cli_runner().invoke(args=["money", "accrue", "2026-W01"])
    assert refused.exit_code != 0


def test_share_gap_chart_is_share_minus_target(app: Any, db: Session, scenario: Scenario) -> None:
    from pial.money.charts import share_gap_chart

    deliver(scenario)
    summaries = ledger_overview(scenario.lead, day=MONDAY)
    with app.test_request_context():
        chart = share_gap_chart(summaries)
    assert [s.label for s in chart.series] == [s.farm.name for s in summaries]
    for series, summary in zip(chart.series, summaries, strict=True):
        assert summary.share is not None and summary.farm.target_share is not None
        expected = float((summary.share - summary.farm.target_share) * 100)
        assert series.values[-1] is not None and abs(series.values[-1] - expected) < 1e-9
    assert 'role="img"' in str(chart.svg())
