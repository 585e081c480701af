"""schemathesis against /api/v1/openapi.json: no input makes the directory API answer 500."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from tests.unit.directory.dir_app import make_app

_made = make_app(Path(tempfile.mkdtemp(prefix="vaxel-fuzz-")), "sqlite:///"
                 + str(Path(tempfile.mkdtemp(prefix="vaxel-fuzz-db-")) / "fuzz.db"))  # fmt: skip
_headers = _made.bearer("admin")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _made.client.app)


@schema.include(path_regex="^/api/v1/directory").parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
def test_directory_api_never_answers_500(case):
    case.call_and_validate(headers=_headers, checks=[schemathesis.checks.not_a_server_error])
