"""Contract years, pro-rata commitment, trend forecast and alerts (pure arithmetic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pial.contracts.tracking import (
    ContractYear,
    Period,
    alert_for,
    contract_years,
    expected_to_date,
    forecast_year_end,
    season_days,
    year_commitment,
    year_of,
)

YEAR = ContractYear(1, dt.date(2026, 9, 1), dt.date(2027, 8, 31))


def test_contract_years_follow_anniversaries_and_clip_the_last() -> None:
    years = contract_years(dt.date(2026, 8, 31), dt.date(2028, 2, 29))
    assert [(y.index, y.start, y.end) for y in years] == [
        (1, dt.date(2026, 8, 31), dt.date(2027, 8, 30)),
        (2, dt.date(2027, 8, 31), dt.date(2028, 2, 29)),
    ]
    assert year_of(years, dt.date(2027, 9, 1)).index == 2
    assert year_of(years, dt.date(2020, 1, 1)).index == 1
    assert year_of(years, dt.date(2030, 1, 1)).index == 2


def test_season_days_count_only_months_in_season() -> None:
    assert season_days(dt.date(2026, 9, 1), dt.date(2027, 8, 31)) == 365
    october_to_march = "111000000111"
    assert season_days(dt.date(2026, 9, 1), dt.date(2026, 12, 31), october_to_march) == 92
    assert season_days(dt.date(2026, 9, 15), dt.date(2026, 9, 30), october_to_march) == 0


def test_pro_rata_by_in_season_days() -> None:
    commitment = Decimal(1200)
    # All year: 30 + 31 = 61 days of 365 by the end of October.
    assert expected_to_date(commitment, [], YEAR, dt.date(2026, 10, 31)) == Decimal(
        "200.548")
    # Oct–Mar product: 31 of its 182 in-season days by the end of October.
    due = expected_to_date(commitment, [], YEAR, dt.date(2026, 10, 31), "111000000111")
    assert due == (commitment * 31 / 182).quantize(Decimal("0.001"))
    assert expected_to_date(commitment, [], YEAR, dt.date(2026, 9, 30), "111000000111") == 0
    assert expected_to_date(commitment, [], YEAR, dt.date(2027, 12, 1)) == commitment
    assert expected_to_date(commitment, [], YEAR, dt.date(2026, 1, 1)) == 0


def test_periods_replace_the_yearly_commitment() -> None:
    periods = [Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30), Decimal(100)),
               Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31), Decimal(310))]
    assert year_commitment(Decimal(9999), periods, YEAR) == Decimal(410)
    assert expected_to_date(Decimal(410), periods, YEAR, dt.date(2026, 10, 10)) == Decimal(200)


def test_a_short_last_year_commits_pro_rata() -> None:
    half = ContractYear(3, dt.date(2028, 9, 1), dt.date(2029, 2, 28))
    assert year_commitment(Decimal(365), [], half) == Decimal(181)


def test_forecast_extrapolates_the_recent_trend_over_the_season_left() -> None:
    # 10 kg a day every day of September and October (61 days).
    deliveries = {dt.date(2026, 9, 1) + dt.timedelta(days=i): Decimal(10) for i in range(61)}
    forecast = forecast_year_end(deliveries, YEAR, dt.date(2026, 10, 31))
    assert forecast == Decimal(3650)  # 610 delivered + 10 × 304 days left
    # A product out of season from April: only its in-season days ahead count.
    october = {day: q for day, q in deliveries.items() if day.month == 10}
    seasonal = forecast_year_end(october, YEAR, dt.date(2026, 10, 31), "111000000111")
    assert seasonal == Decimal(310 + 10 * (182 - 31))
    assert forecast_year_end(deliveries, YEAR, dt.date(2027, 9, 1)) == Decimal(610)


def test_forecast_uses_the_last_weeks_only() -> None:
    slow_then_fast = {dt.date(2026, 9, 1) + dt.timedelta(days=i): Decimal(1) for i in range(30)}
    slow_then_fast |= {dt.date(2026, 11, 1) + dt.timedelta(days=i): Decimal(5)
                       for i in range(56)}
    as_of = dt.date(2026, 12, 26)  # the last 8 weeks are exactly the fast ones
    expected = Decimal(30 + 5 * 56) + Decimal(5) * (dt.date(2027, 8, 31) - as_of).days
    assert forecast_year_end(slow_then_fast, YEAR, as_of) == expected


def test_alert_only_beyond_tolerance_with_forecast_gap() -> None:
    assert alert_for(Decimal(96), Decimal(100), Decimal(1000), Decimal(1000)) is None
    alert = alert_for(Decimal(80), Decimal(100), Decimal(1000), Decimal(900))
    assert alert is not None
    assert (alert.behind_by, alert.behind_share, alert.forecast_gap) == (
        Decimal(20), Decimal("0.2"), Decimal(100))
    assert alert_for(Decimal(0), Decimal(0), Decimal(1000), Decimal(0)) is None


def test_out_of_season_deliveries_do_not_make_a_trend() -> None:
    summer = "000001110000"  # June to August
    year = ContractYear(1, dt.date(2026, 8, 31), dt.date(2027, 8, 30))
    september = {dt.date(2026, 9, 10): Decimal(20)}
    # One in-season day behind us (31 August): no trend yet, the rest is assumed on time.
    assert forecast_year_end(september, year, dt.date(2026, 11, 27), summer,
                             Decimal(200)) == Decimal(20) + (Decimal(200) * 91 / 92).quantize(
        Decimal("0.001"))
    assert forecast_year_end(september, year, dt.date(2026, 11, 27), summer) == Decimal(20)
