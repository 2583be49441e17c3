"""``pial week`` and ``pial rotation`` through the CLI runner."""

from __future__ import annotations

from typing import Any

from pial.weeks import calendar, opening


def test_week_open_list_close(app: Any, db: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["week", "list"])
    assert result.exit_code == 0 and "Aucune semaine." in result.output
    result = runner.invoke(args=["week", "open", "2026-W48"])
    assert result.exit_code == 0, result.output
    assert "Semaine 2026-W48 ouverte" in result.output
    result = runner.invoke(args=["week", "list"])
    assert "2026-W48  open" in result.output
    result = runner.invoke(args=["week", "close", "2026-W48"])
    assert result.exit_code == 0 and "Semaine 2026-W48 close." in result.output
    result = runner.invoke(args=["week", "close", "2026-W48"])
    assert result.exit_code == 1
    assert "La semaine 48 est close" in result.output
    db.expire_all()
    assert calendar.get_week("2026-W48").state == "closed"


def test_week_open_refuses_a_bad_label(app: Any, db: Any) -> None:
    result = app.test_cli_runner().invoke(args=["week", "open", "semaine48"])
    assert result.exit_code == 1 and "invalide" in result.output


def test_rotation_generate(app: Any, db: Any, make_farm: Any) -> None:
    make_farm(name="Ferme A"), make_farm(name="Ferme B")
    result = app.test_cli_runner().invoke(args=["rotation", "generate", "2026-W48", "2026-W51"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    assert lines[0].split("  ")[1] != lines[1].split("  ")[1]


def test_close_due_closes_only_weeks_past_both_deadlines(app: Any, db: Any, clock: Any) -> None:
    import datetime as dt

    opening.open_week("2026-W48")
    opening.open_week("2026-W49")
    runner = app.test_cli_runner()
    clock.moment = dt.datetime(2026, 11, 20, 10, 59, tzinfo=dt.UTC)  # orders still open
    assert "Aucune semaine à clore." in runner.invoke(args=["week", "close-due"]).output
    clock.moment = dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC)
    result = runner.invoke(args=["week", "close-due"])
    assert result.output.strip() == "Semaine 2026-W48 close."
    db.expire_all()
    assert calendar.get_week("2026-W48").state == "closed"
    assert calendar.get_week("2026-W49").state == "open"
