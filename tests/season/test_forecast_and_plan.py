"""The season forecast and plan on the demo history, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.errors import Forbidden, InvalidInput
from pial.models import (
    CashAdvance,
    CropDeclaration,
    FarmWeekOff,
    HistoryKind,
    HistoryLine,
    ProposalState,
    SeasonPlanLine,
)
from pial.money.funds import record_fund_movement
from pial.season import seam, services
from tests.season.conftest import COMING, Demo

FAST = services.PlanChoices(scenarios=150)


def test_the_demo_holds_three_seasons_before_pial(db: Session, demo: Demo) -> None:
    counts = dict(db.execute(select(HistoryLine.kind, func.count()).group_by(HistoryLine.kind))
                  .tuples().all())
    first = db.scalar(select(func.min(HistoryLine.monday_date)))

    assert first == dt.date(2023, 8, 28)  # the Monday of 1 September 2023's week
    assert counts[HistoryKind.ORDER] > 3000 and counts[HistoryKind.OFFER] > 3000
    assert counts[HistoryKind.LOSS] >= 30  # one week in four


def test_the_forecast_beats_both_naive_forecasts_on_the_demo(demo: Demo) -> None:
    forecast = services.forecast_season(COMING)

    assert forecast.window.first_day == dt.date(2027, 8, 30)
    assert forecast.backtest_season == "2025-2026"
    report = forecast.backtest
    assert report is not None and report.weeks == 52
    assert report.wape_model < report.wape_same_week_last_year
    assert report.wape_model < report.wape_last_four_weeks
    assert report.wape_model_product_week < min(report.wape_same_week_last_year_product_week,
                                                report.wape_last_four_weeks_product_week)
    products = {row.product.slug: row for row in forecast.products}
    # Tomatoes are a summer crop: none forecast in winter months.
    tomato = products["tomate"]
    december = forecast.months.index(12)
    assert tomato.by_month[december] == 0 and tomato.season_total > 0


def test_school_holidays_are_predicted_closed_from_the_history(db: Session, demo: Demo) -> None:
    models = seam.season_models(db, COMING)
    school = seam.canteen_key(demo.user("cantine.saint-mamet").canteen_id)
    nursing_home = seam.canteen_key(demo.user("cuisine.ehpad").canteen_id)
    christmas = dt.date(2027, 12, 27)  # ISO week 52

    assert (school, christmas) in models.closures
    assert (nursing_home, christmas) not in models.closures  # the EHPAD serves every week
    j = models.forecast.products.index("pomme-de-terre")
    t = models.window.weeks.index(christmas)
    i = models.forecast.canteens.index(school)
    assert models.forecast.mean[i, j, t] == 0


def test_the_plan_keeps_within_declared_capacities_and_weeks_off(db: Session, demo: Demo) -> None:
    plan = services.solve_season_plan(demo.lead, COMING, FAST)

    assert plan.status.value in ("optimal", "feasible") and plan.lines
    juzet = demo.farm("Le Potager de Juzet")
    declared = {crop.product_id: crop for crop in db.scalars(
        select(CropDeclaration).where(CropDeclaration.farm_id == juzet.id))}
    for line in plan.lines:
        if line.farm_id == juzet.id:
            crop = declared.get(line.product_id)
            assert crop is not None, "Juzet is planned only on the crops it declared"
            if crop.max_weekly_quantity is not None:
                assert line.quantity <= crop.max_weekly_quantity
    tomato = next(crop for crop in declared.values() if crop.area_m2 is not None)
    season_total = sum(line.quantity for line in plan.lines
                       if line.farm_id == juzet.id and line.product_id == tomato.product_id)
    assert season_total <= tomato.season_quantity
    off = {(row.farm_id, row.monday_date) for row in db.scalars(select(FarmWeekOff))}
    assert off and not {(line.farm_id, line.monday_date) for line in plan.lines} & off
    assert plan.met_share > 0.85


def test_a_grower_sees_its_published_plan_only(db: Session, demo: Demo) -> None:
    grower = demo.user("jb.sabatier")
    plan = services.solve_season_plan(demo.lead, COMING, FAST)

    assert services.farm_plan(grower, grower.farm_id, COMING).plan is None  # not published
    services.publish_plan(demo.lead, plan.id)
    view = services.farm_plan(grower, grower.farm_id, COMING)
    assert view.plan is not None and view.plan.id == plan.id
    assert view.crops and view.value_eur > 0
    assert all(week.quantity > 0 for week in plan.lines if week.farm_id == grower.farm_id)
    other = demo.farm("Ferme de Valentine")
    with pytest.raises(Forbidden):
        services.farm_plan(grower, other.id, COMING)


def test_an_accepted_proposal_is_locked_in_the_next_solve(db: Session, demo: Demo) -> None:
    grower = demo.user("sylvie.dedieu")  # GAEC de la Garonne
    first = services.solve_season_plan(demo.lead, COMING, FAST)
    services.publish_plan(demo.lead, first.id)
    carrot = demo.lot.lines[0].product  # carotte
    proposal = services.propose_change(
        grower, grower.farm_id, COMING, carrot.id, dt.date(2027, 10, 4), dt.date(2027, 10, 25),
        Decimal("42.5"), "Nouvelle parcelle irriguée")
    declined = services.propose_change(
        grower, grower.farm_id, COMING, carrot.id, dt.date(2027, 11, 1), dt.date(2027, 11, 1),
        Decimal("999"))
    services.decide_proposal(demo.lead, proposal.id, accept=True)
    services.decide_proposal(demo.lead, declined.id, accept=False)
    assert proposal.state == ProposalState.ACCEPTED

    second = services.solve_season_plan(demo.lead, COMING, FAST)

    planned = {line.monday_date: line.quantity for line in db.scalars(
        select(SeasonPlanLine).where(SeasonPlanLine.plan_id == second.id,
                                     SeasonPlanLine.farm_id == grower.farm_id,
                                     SeasonPlanLine.product_id == carrot.id))}
    for monday in (dt.date(2027, 10, 4), dt.date(2027, 10, 11), dt.date(2027, 10, 18),
                   dt.date(2027, 10, 25)):
        assert planned[monday] == Decimal("42.500")
    assert planned.get(dt.date(2027, 11, 1)) != Decimal("999.000")
    assert second.sequence == first.sequence + 1


def test_a_proposal_outside_the_season_is_refused(demo: Demo) -> None:
    grower = demo.user("sylvie.dedieu")
    carrot = demo.lot.lines[0].product
    with pytest.raises(InvalidInput) as refused:
        services.propose_change(grower, grower.farm_id, COMING, carrot.id, dt.date(2026, 1, 5),
                                dt.date(2026, 1, 12), Decimal(10))
    assert "saison 2027-2028" in str(refused.value)
    assert "first_day" in refused.value.field_errors


def test_advances_fit_the_fund_and_are_granted_as_cash_advances(db: Session,
                                                                demo: Demo) -> None:
    # The demo's fund: nothing yet on this clock but the 1 200 € advance still owed.
    assert services.fund_available_eur() == 0
    record_fund_movement(demo.lead, dt.date(2026, 11, 20), Decimal("5000"), "Subvention", None)
    plan = services.solve_season_plan(demo.lead, COMING, FAST)
    view = services.plan_view(plan)

    assert view.fund_available_eur == Decimal("3800.00")
    proposed = sum((row.proposed_advance_eur for row in view.farms), Decimal(0))
    assert 0 < proposed <= view.fund_available_eur
    row = view.farms[0]
    assert row.proposed_advance_eur <= (row.planned_eur * plan.advance_share)
    advance = services.grant_advance(demo.lead, plan.id, row.farm.id, row.proposed_advance_eur,
                                     Decimal("0.1"))
    assert db.get(CashAdvance, advance.id) is not None
    assert advance.note is not None and advance.note.startswith(
        "Avance de lancement de la saison 2027-2028")
    again = services.plan_view(plan)
    assert next(r for r in again.farms if r.farm.id == row.farm.id).granted_eur == \
        row.proposed_advance_eur
    with pytest.raises(InvalidInput):
        services.grant_advance(demo.lead, plan.id, row.farm.id,
                               again.fund_available_eur + 1, None)


def test_only_the_lead_solves_and_publishes(demo: Demo) -> None:
    grower = demo.user("jb.sabatier")
    with pytest.raises(Forbidden):
        services.solve_season_plan(grower, COMING, FAST)
    with pytest.raises(InvalidInput) as refused:
        services.solve_season_plan(demo.lead, COMING, services.PlanChoices(
            service_level=Decimal("0.3")))
    assert "service_level" in refused.value.field_errors
