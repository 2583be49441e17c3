"""A published week's rounds: every line carried or reported, pooled next to each alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from pial.rounds import services
from tests.rounds.conftest import Published


def test_every_published_line_is_carried_once_and_the_rounds_check(
    db: Session, published: Published
) -> None:
    iso_week = published.scenario.iso_week
    plan = services.plan_of_week(iso_week)

    days = services.week_rounds(iso_week)

    assert {rounds.day for rounds in days} == {line.day for line in plan.lines}
    for rounds in days:
        carried = [line_id for route in rounds.result.routes for stop in route.stops
                   if stop.place.startswith("canteen:") for line_id in stop.drop]
        unserved = [item.line_id for item in rounds.result.unserved]
        expected = sorted(str(line.id) for line in plan.lines if line.day == rounds.day)
        assert sorted(carried + unserved) == expected
        assert services.check_rounds_document(rounds.document()) == []
        assert rounds.result.pooled is not None and rounds.result.baseline is not None
        assert rounds.result.pooled.distance_km <= rounds.result.baseline.distance_km + 1e-6


def test_a_grower_who_refuses_the_day_does_not_drive(db: Session, published: Published) -> None:
    iso_week = published.scenario.iso_week
    day = services.round_days(iso_week)[0]
    for van in published.vans.values():
        van.days_off = str(day.isoweekday())
    van = next(iter(published.vans.values()))
    van.days_off = ""
    db.commit()

    rounds = services.day_rounds(iso_week, day)

    assert {route.vehicle_id for route in rounds.result.routes} <= {str(van.id)}


def test_pial_rounds_writes_a_document_that_pial_rounds_check_accepts(
    db: Session, published: Published, app: Any, tmp_path: Path
) -> None:
    output = tmp_path / "rounds.json"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["rounds", published.scenario.iso_week, "-o", str(output)])

    assert result.exit_code == 0, result.output
    assert "tournées" in result.output and "chacun seul" in result.output
    checked = runner.invoke(args=["rounds", "check", str(output)])
    assert checked.exit_code == 0 and checked.output == "OK\n"

    documents = json.loads(output.read_text(encoding="utf-8"))
    documents = documents if isinstance(documents, list) else [documents]
    route = next(r for d in documents for r in d["routes"])
    route["stops"][1]["arrival"] = "00:00"  # before the van left
    output.write_text(json.dumps(documents), encoding="utf-8")
    broken = runner.invoke(args=["rounds", "check", str(output)])
    assert broken.exit_code == 1 and "avant d'avoir pu y rouler" in broken.output


def test_pial_rounds_on_an_unpublished_week_says_so(app: Any, db: Session, scenario: Any) -> None:
    result = app.test_cli_runner().invoke(args=["rounds", scenario.iso_week])

    assert result.exit_code == 1
    assert "pas encore publié" in result.output


def test_pial_rounds_season_sums_the_published_weeks(
    db: Session, published: Published, app: Any
) -> None:
    days = services.week_rounds(published.scenario.iso_week)
    pooled_km = sum(d.result.pooled.distance_km for d in days if d.result.pooled is not None)
    alone_km = sum(d.result.baseline.distance_km for d in days if d.result.baseline is not None)

    result = app.test_cli_runner().invoke(args=["rounds", "season"])

    assert result.exit_code == 0, result.output
    week_line, season_line = result.output.splitlines()
    # Not accrued yet: planned on demand, and said so.
    assert week_line == (f"{published.scenario.iso_week} : {pooled_km:.0f} km mutualisés "
                         f"contre {alone_km:.0f} km chacun seul, "
                         f"{sum(d.result.pooled.cost_eur for d in days):.2f} € contre "
                         f"{sum(d.result.baseline.cost_eur for d in days):.2f} € (prévisionnel)")
    assert season_line.startswith(f"Saison (1 semaines) : {pooled_km:.0f} km contre "
                                  f"{alone_km:.0f} km ({alone_km - pooled_km:.0f} km économisés)")


def test_a_replan_starts_from_the_rounds_before_and_marks_what_changed(
    db: Session, published: Published
) -> None:
    from pial.allocation.services import declare_crop_failure

    scenario = published.scenario
    iso_week = scenario.iso_week
    first = {rounds.day: rounds for rounds in services.week_rounds(iso_week)}
    plan = services.plan_of_week(iso_week)
    # A loss on the week's last day: the farms covering it change their stops, the others keep
    # theirs. (Since a loss also withdraws the rest of the farm's offer of that product, a loss
    # on the first day of this small week moves every stop of that day.)
    last_day = max(planned.day for planned in plan.lines)
    line = next(planned for planned in plan.lines if planned.day == last_day)
    grower = next(u for u in scenario.growers.values() if u.farm_id == line.farm_id)
    declare_crop_failure(grower, line.farm_id, iso_week, line.product_id, line.quantity)

    second = services.day_rounds(iso_week, line.day)

    assert second.previous is not None
    assert second.previous.result == first[line.day].result
    assert services.check_rounds_document(second.document()) == []
    stops = [stop for route in second.routes for stop in route.stops]
    # The farm that lost its line changed what it loads; the stops that did not change stay
    # unmarked, so the driver sees only what is new.
    assert any(stop.changed for stop in stops)
    assert any(not stop.changed and (stop.load or stop.drop) for stop in stops)
