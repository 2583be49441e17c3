"""The weekly contract check tells the leads which lines fall behind, once a week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from pial.models import OutboxMessage
from pial.scheduler import jobs
from tests.contracts.conftest import make_group_contract
from tests.money.conftest import deliver


def test_lagging_contract_lines_are_sent_to_the_leads_once(db: Any, make_user: Any) -> None:
    from tests.allocation.scenario import build_scenario

    scenario = build_scenario(db, make_user)
    make_group_contract(db, scenario)
    deliver(scenario, short_by={0: "3"})
    monday = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)

    summary = jobs.contract_alerts(monday)
    assert "1 ligne(s) en retard" in summary
    alerts = select(OutboxMessage).where(OutboxMessage.kind == "contract_alert")
    (message,) = db.scalars(alerts)
    assert message.to_address == scenario.lead.email
    assert "Lot 22" in message.body_text and "Carotte" in message.body_text
    assert "de retard sur le prorata" in message.body_text

    jobs.contract_alerts(monday + dt.timedelta(hours=1))  # the same week: not sent again
    assert len(db.scalars(alerts).all()) == 1
