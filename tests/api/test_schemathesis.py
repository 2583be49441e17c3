"""schemathesis against the OpenAPI document, every check (``--checks all``), for every role.

Runs in-process against the WSGI app with a bounded number of examples per operation, on the
allocation tests' scenario (an open week), with a personal token for each role and none.
Every check schemathesis has runs, positive data acceptance (ST202) included: a request the
document calls valid must be accepted, unless the operation documents the 422 it may answer
for a rule the schema cannot state (a reference that does not exist, a rule across fields).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.allocation.scenario import Scenario

EXAMPLES_PER_OPERATION = 8
DEFAULT_422 = {"Unprocessable Entity", "Unprocessable Content"}


@schemathesis.check
def positive_data_acceptance_or_documented_refusal(ctx: Any, response: Any, case: Any) -> Any:
    """ST202, except for a 422 that the operation documents with its own description."""
    if response.status_code == 422:
        documented = case.operation.definition.raw.get("responses", {}).get("422", {})
        if documented.get("description") and documented["description"] not in DEFAULT_422:
            return None
    return positive_data_acceptance(ctx, response, case)


def _all_checks() -> list[Any]:
    load_all_checks()
    checks = [
        check for check in CHECKS.get_all()
        if check is not positive_data_acceptance
        and check is not positive_data_acceptance_or_documented_refusal
    ]  # fmt: skip
    assert len(checks) >= 12, [check.__name__ for check in checks]
    return [*checks, positive_data_acceptance_or_documented_refusal]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "lead", "grower", "canteen"])
def test_the_api_honours_its_document(
    app: Any, open_scenario: Scenario, bearer: Any, role: str
) -> None:
    users = {
        "lead": open_scenario.lead,
        "grower": open_scenario.growers["stgaudens"],  # the week's coordinator
        "canteen": open_scenario.managers["luchon"],
    }
    headers = bearer(users[role]) if role in users else {}
    # The test holds an app context: without this, Flask-Login's per-request user would leak
    # from one request to the next (a request without a token would look signed in).
    def forget_the_last_user() -> None:
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_the_last_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = _all_checks()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    # Random path values mostly meet 404s; half the cases aim at the scenario's records so
    # that the bodies and queries are fuzzed against real weeks, farms and canteens.
    real_values = {
        "iso_week": open_scenario.iso_week,
        "farm_id": open_scenario.farms["stgaudens"].id,
        "canteen_id": open_scenario.canteens["luchon"].id,
        "month": "2026-11",
    }

    for operation in operations:

        @given(case=operation.as_strategy(), aim=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any, aim: bool) -> None:
            if aim and case.path_parameters:
                for name in case.path_parameters:
                    if name in real_values:
                        case.path_parameters[name] = real_values[name]
            case.call_and_validate(headers=headers, checks=checks)

        exercise()
