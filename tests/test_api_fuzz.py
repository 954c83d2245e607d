"""Fuzz every JSON API operation described in /api/openapi.json: no answer is ever a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from organet.api import openapi
from organet.plugins import installed_plugins

pytestmark = pytest.mark.heavy

EXAMPLES_PER_OPERATION = 25


def test_no_api_operation_answers_with_a_server_error(make_app, make_user, client_for):
    schemathesis = pytest.importorskip("schemathesis")
    app = make_app(plugins=sorted(installed_plugins()))
    client = client_for(app, make_user(app, "fuzzer", role="admin", groups=["wondzorg"]))
    schema = schemathesis.openapi.from_dict(openapi(app.state.site))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "no API operations are described"
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):  # noqa: ANN001 - hypothesis supplies it
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            response = client.request(kwargs.pop("method"), kwargs.pop("url"), headers={
                **(kwargs.pop("headers", None) or {}), "x-csrf-token": client.csrf},
                params=kwargs.pop("params", None), json=kwargs.pop("json", None),
                content=kwargs.pop("data", None) if isinstance(kwargs.get("data"), bytes | str) else None)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        fuzz()
    assert failures == []
