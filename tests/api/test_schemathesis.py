"""schemathesis against the OpenAPI document: no 5xx and no schema violations, for every role.

Runs in-process against the WSGI app with a bounded number of examples per operation, on the
allocation tests' scenario (an open week), with a personal token for each role and none.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.allocation.scenario import Scenario

EXAMPLES_PER_OPERATION = 8


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
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [
        schemathesis.checks.not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
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
