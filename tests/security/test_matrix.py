"""Role × endpoint matrix: every route, pages and API, answers as the central policy says.

For each route of ``app.url_map`` and each of anonymous, lead, grower (the week's coordinator)
and canteen manager, one request is made with the URL filled from the allocation scenario (the
user's own farm or canteen). It must be refused (sign-in redirect, 401 or 403) exactly when the
policy refuses that user, and get past the policy otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pial.access import policy
from tests.allocation.scenario import Scenario

IDENTITIES = ("anonymous", "lead", "grower", "canteen")


def _user(scenario: Scenario, identity: str) -> Any:
    return {
        "anonymous": None,
        "lead": scenario.lead,
        "grower": scenario.growers["stgaudens"],
        "canteen": scenario.managers["luchon"],
    }[identity]


def _season_id() -> int:
    from sqlalchemy import select

    from pial.db import get_session
    from pial.models import Season

    season_id = get_session().scalar(select(Season.id).where(Season.code == "2026-2027"))
    assert season_id is not None
    return season_id


def _values(scenario: Scenario, user: Any) -> dict[str, Any]:
    """URL values: the user's own farm or canteen, else the scenario's first ones."""
    farm_id = getattr(user, "farm_id", None) or scenario.farms["stgaudens"].id
    canteen_id = getattr(user, "canteen_id", None) or scenario.canteens["luchon"].id
    season_id = _season_id()
    return {
        "iso_week": scenario.iso_week,
        "farm_id": farm_id,
        "canteen_id": canteen_id,
        "product_id": scenario.products["carotte"].id,
        "season_id": season_id,
        "user_id": scenario.lead.id,
        "month": "2026-11",
        "kind_slug": "disponibilites",
        "season_code": "2026-2027",
        "action": "ouvrir",
        "token": "x" * 20,
        "filename": "pial.css",
    }


def _url(rule: Any, values: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        return "1" if converter in {"int", "int:"} else "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


def _refused(response: Any, identity: str) -> bool:
    if identity == "anonymous":
        location = response.headers.get("Location", "")
        return response.status_code == 401 or (
            response.status_code == 302 and "/connexion" in location
        )
    return response.status_code == 403


def _routes(app: Any) -> list[Any]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


@pytest.mark.slow
def test_every_route_answers_as_the_policy_says(
    app: Any, scenario: Scenario, session_client: Any
) -> None:
    table = policy(app)
    mismatches = []
    checked = 0
    for rule in _routes(app):
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        for identity in IDENTITIES:
            user = _user(scenario, identity)
            allowed = table[rule.endpoint].allows(user)
            if method != "GET" and allowed and rule.endpoint == "auth.logout":
                continue  # harmless, and checked by the auth tests
            client = session_client(user)
            url = _url(rule, _values(scenario, user))
            response = client.open(url, method=method, json={} if method != "GET" else None)
            refused = _refused(response, identity)
            checked += 1
            if refused == allowed:
                mismatches.append(
                    f"{method} {url} ({rule.endpoint}) as {identity}: {response.status_code}, "
                    f"policy {'allows' if allowed else 'refuses'}"
                )
    assert checked > 300
    assert mismatches == []


def test_api_rules_are_the_intended_ones(app: Any) -> None:
    """A literal table of who may call each API endpoint, so a loosened rule shows up here."""
    expected = {
        "api_weeks.list_weeks": {"lead", "grower", "canteen"},
        "api_weeks.get_week": {"lead", "grower", "canteen"},
        "api_weeks.open_week": {"lead"},
        "api_weeks.close_week": {"lead"},
        "api_weeks.get_availability": {"lead", "grower"},
        "api_weeks.put_availability": {"lead", "grower"},
        "api_weeks.get_orders": {"lead", "canteen"},
        "api_weeks.put_orders": {"lead", "canteen"},
        "api_planning.list_runs": {"lead", "grower"},
        "api_planning.create_run": {"lead", "grower"},
        "api_planning.get_run": {"lead", "grower"},
        "api_planning.publish": {"lead", "grower"},
        "api_deliveries.get_deliveries": {"lead", "canteen"},
        "api_deliveries.get_receipt": {"lead", "canteen"},
        "api_deliveries.put_receipt": {"canteen"},
        "api_records.me": {"lead", "grower", "canteen"},
        "api_records.list_contracts": {"lead", "canteen"},
        "api_records.get_contract": {"lead", "canteen"},
        "api_records.farm_statement": {"lead", "grower"},
        "api_records.canteen_statement": {"lead", "canteen"},
        "api_records.planning_export": {"lead", "grower"},
        "api_egalim.macantine_export": {"lead", "canteen"},
        "api_egalim.canteen_figures": {"lead", "canteen"},
        "api_egalim.all_figures": {"lead"},
    }

    class Someone:
        is_authenticated = True

        def __init__(self, role: str) -> None:
            self.role = role

    table = policy(app)
    actual = {
        endpoint: {role for role in ("lead", "grower", "canteen") if rule.allows(Someone(role))}
        for endpoint, rule in table.items()
        if endpoint.split(".")[0]
        in {"api_weeks", "api_planning", "api_deliveries", "api_records", "api_egalim"}
    }
    assert actual == expected
    assert not any(table[endpoint].public for endpoint in expected)
