"""schemathesis over every route the web app serves, pages included, as every role and as
nobody: no 5xx, the security headers on every response, and no 2xx for a role the route's
authorisation rule forbids.

Each generated request is sent once per principal, so every role sees the same inputs. The
roles a route admits come from its ``require(...)`` dependency; routes without one are
listed below with the reason, and a test keeps that list and the app in step. Hypothesis
is derandomised and keeps no example database, so CI runs the same requests every time.
Besides the generated requests, EDGES sends the inputs the security review (issue 11) used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
import structlog
from hypothesis import HealthCheck, Phase, example, given, settings
from schemathesis import Case, GenerationMode

from tests.unit.web.whole_app import (
    ADMINISTERED_UNIT,
    ANONYMOUS,
    OFFICER_PERSON,
    Operation,
    WholeApp,
    allowed_roles,
    build_whole_app,
    needs_login,
    openapi_for_every_route,
    route_contexts,
    served_operations,
)
from vaxel.console.access import overseer_roles
from vaxel.console.wallboard_pages import VIEWERS
from vaxel.stats.api import TELEPHONIST_REPORT_ROLES
from vaxel.stats.reports import REPORTS
from vaxel.web.auth import Role

ALL_ROLES = frozenset(Role)
REPORT_READERS = frozenset({Role.ANALYST, *TELEPHONIST_REPORT_ROLES})


@dataclass(frozen=True)
class Rule:
    """Who may get a 2xx from a route that has no ``require(...)``, and why."""

    reason: str
    login: bool = True
    roles: Callable[[Case], frozenset[Role]] = lambda case: ALL_ROLES


def public(reason: str) -> Rule:
    return Rule(reason, login=False)


def logged_in(reason: str) -> Rule:
    return Rule(reason)


def report_roles(name: str) -> frozenset[Role]:
    return frozenset(TELEPHONIST_REPORT_ROLES) if name == "telephonists" else REPORT_READERS


PER_PERSON = "any staff member; the directory's per-person edit rule decides whose settings"
PER_MESSAGE = "any staff member; the message rule (messages.message_access) decides which"
TOKEN = "the random token in the e-mailed link is the permission (no login)"
CONSOLE = "one's own console; an admin or a supervisor any, read-only (vaxel/console/access.py)"
CONSOLE_ROLES = frozenset({Role.TELEPHONIST, *overseer_roles()})
KIOSK = "the revocable kiosk token in the screen's link is the permission (no login)"
WALLBOARD_VIEWERS = frozenset({*VIEWERS, Role.ADMIN})
WITHOUT_ROLE: dict[Operation, Rule] = {
    ("GET", "/login"): public("the login form"),
    ("POST", "/login"): public("logging in"),
    ("POST", "/api/v1/auth/login"): public("logging in (scripts)"),
    ("GET", "/api/v1/openapi.json"): public("the API's description; holds no data"),
    ("GET", "/api/v1/docs"): public("the API's description; holds no data"),
    ("GET", "/static/{path}"): public("style sheets and scripts"),
    ("GET", "/messages/handled/{token}"): public(TOKEN),
    ("POST", "/messages/handled/{token}"): public(TOKEN),
    ("GET", "/messages/recording/{token}"): public(TOKEN),
    ("GET", "/kiosk/{token}"): public(KIOSK),
    ("GET", "/kiosk/{token}/stream"): public(KIOSK),
    ("GET", "/wallboard/theme.css"): public("the site's threshold colours as a style sheet"),
    ("GET", "/console"): Rule(CONSOLE, roles=lambda case: CONSOLE_ROLES),
    ("GET", "/console/events"): Rule(CONSOLE, roles=lambda case: CONSOLE_ROLES),
    ("GET", "/api/v1/console/{telephonist}"): Rule(CONSOLE, roles=lambda case: CONSOLE_ROLES),
    ("POST", "/api/v1/console/{telephonist}/callback"): Rule(
        "the telephonist themself (the console's seat rule); overseers only look",
        roles=lambda case: frozenset({Role.TELEPHONIST, Role.ADMIN}),
    ),
    ("GET", "/wallboard"): Rule("the wallboard's viewers", roles=lambda case: WALLBOARD_VIEWERS),
    ("GET", "/wallboard/stream"): Rule(
        "the wallboard's viewers; the stream ends when the session does",
        roles=lambda case: WALLBOARD_VIEWERS,
    ),
    ("GET", "/"): logged_in("the home page; nobody is sent to the login"),
    ("POST", "/logout"): logged_in("ends one's own session"),
    ("GET", "/api/v1/me"): logged_in("one's own account"),
    ("GET", "/directory"): logged_in("every staff member searches the directory"),
    ("GET", "/directory/events"): logged_in("presence for the directory page"),
    ("GET", "/api/v1/directory/people"): logged_in("every staff member searches the directory"),
    ("GET", "/api/v1/directory/people/{person_id}"): logged_in("a directory entry"),
    ("GET", "/api/v1/directory/me/settings"): logged_in("one's own settings"),
    ("PUT", "/api/v1/directory/me/settings"): logged_in("one's own settings"),
    ("GET", "/my-phone"): logged_in(PER_PERSON),
    ("GET", "/api/v1/messages"): logged_in(PER_MESSAGE),
    ("POST", "/api/v1/messages/{reference}/handled"): logged_in(PER_MESSAGE),
    **{
        (method, f"/api/v1/directory/people/{{person_id}}/{what}"): logged_in(PER_PERSON)
        for method, what in [
            ("GET", "settings"),
            ("PUT", "settings"),
            ("PUT", "phone-hours"),
            ("DELETE", "phone-hours"),
            ("PUT", "forwards/{kind}"),
            ("DELETE", "forwards/{kind}"),
            ("PUT", "absence"),
            ("DELETE", "absence"),
            ("PUT", "closed"),
            ("DELETE", "closed"),
        ]
    },
    **{
        ("POST", f"/my-phone/{form}"): logged_in(PER_PERSON)
        for form in ("phone-hours", "exception", "forward", "absence", "closed")
    },
    # The report's name decides the roles (per-person working time is personnel data).
    ("GET", "/api/v1/stats/reports/{name}"): Rule(
        "analysts; the telephonist report only administrators",
        roles=lambda case: report_roles(str((case.path_parameters or {}).get("name", ""))),
    ),
    ("GET", "/reports"): Rule(
        "analysts; the telephonist report only administrators",
        roles=lambda case: report_roles(str((case.query or {}).get("name", "accessibility"))),
    ),
}

# A process without Asterisk answers these 503 by design ("run in the controller only").
CONTROLLER_ONLY = {
    ("GET", "/api/v1/queues"),
    *(("POST", f"/api/v1/queues/telephonists/{{telephonist_id}}/{what}")
      for what in ("login", "logout", "pause", "unpause", "wrapup-code")),
    ("POST", "/api/v1/handoffs"),
    ("GET", "/api/v1/handoffs"),
    *(("POST", f"/api/v1/handoffs/{{handoff_id}}/{what}")
      for what in ("complete", "cancel", "refer", "message")),
}  # fmt: skip
# Each of these costs an Argon2 check (64 MiB) and ignores who sends it: sent by nobody only.
PASSWORD_CHECKS = {("POST", "/login"), ("POST", "/api/v1/auth/login")}

PERSON = "$response.body#/results/0/id"
LINKS: dict[tuple[str, str, str], dict] = {
    ("GET", "/api/v1/directory/people", "200"): {
        "detail": ("GET", "/api/v1/directory/people/{person_id}", {"person_id": PERSON}),
        "settings": ("GET", "/api/v1/directory/people/{person_id}/settings", {"person_id": PERSON}),
        "edit": ("PUT", "/api/v1/directory/people/{person_id}/settings", {"person_id": PERSON}),
        "forward": (
            "PUT",
            "/api/v1/directory/people/{person_id}/forwards/{kind}",
            {"person_id": PERSON},
        ),
        "close": ("PUT", "/api/v1/directory/people/{person_id}/closed", {"person_id": PERSON}),
        "unit": (
            "GET",
            "/api/v1/directory/units/{unit_id}/people",
            {"unit_id": "$response.body#/results/0/unit_id"},
        ),
    },
    ("POST", "/api/v1/ivr/disruptions", "201"): {
        "clear": (
            "DELETE",
            "/api/v1/ivr/disruptions/{notice_id}",
            {"notice_id": "$response.body#/id"},
        ),
    },
    ("PUT", "/api/v1/ivr/overrides/{target}", "200"): {
        "clear": ("DELETE", "/api/v1/ivr/overrides/{target}", {"target": "$request.path.target"}),
    },
    ("POST", "/api/v1/messages", "201"): {
        "handled": (
            "POST",
            "/api/v1/messages/{reference}/handled",
            {"reference": "$response.body#/reference"},
        ),
    },
    ("GET", "/api/v1/messages", "200"): {
        "handled": (
            "POST",
            "/api/v1/messages/{reference}/handled",
            {"reference": "$response.body#/0/reference"},
        ),
    },
}

OTHER_UNITS_PERSON = "E10001"  # the switchboard's Maria: neither the officer's nor the unit's
DATES = ["2026-11-23", "0001-01-01", "9999-12-31", "2026-13-01", "notadate"]
KNOWN: dict[str, list[str]] = {
    "name": list(REPORTS),
    "person_id": ["me", OFFICER_PERSON, OTHER_UNITS_PERSON],
    "person": [OFFICER_PERSON, OTHER_UNITS_PERSON],
    "unit_id": [ADMINISTERED_UNIT],
    "telephonist_id": ["t1001"],
    "target": ["queue:centre", "number:centre", "office:dalby"],
    "from": DATES,
    "to": DATES,
}
MARKUP = '"><img src=x onerror=alert(1)>'
# The review's inputs, sent on every run besides the generated ones.
ABSURD_RANGE = {"from": "0001-01-01", "to": "9999-12-31"}
EDGES: dict[Operation, list[dict]] = {
    ("GET", "/api/v1/stats/reports/{name}"): [
        {"path_parameters": {"name": "accessibility"}, "query": ABSURD_RANGE},
        {"path_parameters": {"name": "accessibility"}, "query": {"from": "2026-13-01", "to": "2026-12-01"}},
    ],
    ("GET", "/api/v1/stats/calls"): [{"query": ABSURD_RANGE}],
    ("GET", "/reports"): [{"query": {"from": "notadate"}}, {"query": {"to": "2026-13-01"}},
                          {"query": ABSURD_RANGE}],
    ("GET", "/messages/handled/{token}"): [{"path_parameters": {"token": MARKUP}}],
    ("DELETE", "/api/v1/ivr/disruptions/{notice_id}"): [{"path_parameters": {"notice_id": 10**20}}],
}  # fmt: skip
# The report page reads its query itself (a plain GET form), so the app declares none.
UNDECLARED_QUERY: dict[Operation, list[str]] = {
    ("GET", "/reports"): ["name", "from", "to", "period", "number", "queue", "department", "lang"],
}

FUZZ_SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def plain_error_logs() -> Iterator[None]:
    """The console renderer's rich tracebacks take seconds each; the fuzz test logs many."""
    before = structlog.get_config()
    structlog.configure(processors=[structlog.processors.format_exc_info,
                                    structlog.processors.KeyValueRenderer()])  # fmt: skip
    yield
    structlog.configure(**before)


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> WholeApp:
    return build_whole_app(Path(tmp_path_factory.mktemp("whole-app")))


@pytest.fixture(scope="module")
def every_route_schema(whole: WholeApp) -> schemathesis.schemas.BaseSchema:
    # An event stream (the directory's presence) never ends: its first event is enough.
    config = schemathesis.config.SchemathesisConfig.from_dict({"operations": [
        {"include-path": "/directory/events", "max-stream-events": 1, "request-timeout": 0.3},
    ]})  # fmt: skip
    loaded = schemathesis.openapi.from_dict(
        openapi_for_every_route(whole.app, LINKS, KNOWN, UNDECLARED_QUERY), config=config
    )
    loaded.app = whole.app
    return loaded


@dataclass(frozen=True)
class Admits:
    login: bool
    roles: Callable[[Case], frozenset[Role]]


def authorisation(whole: WholeApp) -> dict[Operation, Admits]:
    """Every served operation's rule: from ``require(...)``, else from WITHOUT_ROLE."""
    rules: dict[Operation, Admits] = {}
    for operation, rule in WITHOUT_ROLE.items():
        rules[operation] = Admits(rule.login, rule.roles)
    for context in route_contexts(whole.app):
        roles = allowed_roles(context) if hasattr(context, "dependant") else None
        if roles is None:
            continue
        for method in context.methods or ():
            rules[(method, context.path_format or "")] = Admits(True, lambda case, r=roles: r)
    return rules


def problems(case: Case, principal: str, response, admits: Admits) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    status = response.status_code
    # schemathesis gives each header as a list of its values
    headers = {k.lower(): ", ".join(v) if isinstance(v, list) else v
               for k, v in response.headers.items()}  # fmt: skip
    operation = (case.operation.method.upper(), case.operation.path)
    if status >= 500 and not (status == 503 and operation in CONTROLLER_ONLY):
        found.append(f"answered {status}: {response.text[:300]!r}")
    csp = headers.get("content-security-policy", "")
    if not csp:
        found.append("no Content-Security-Policy")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        found.append("no X-Content-Type-Options: nosniff")
    if "x-frame-options" not in headers and "frame-ancestors" not in csp:
        found.append("neither X-Frame-Options nor CSP frame-ancestors")
    if "referrer-policy" not in headers:
        found.append("no Referrer-Policy")
    if MARKUP in response.text:
        found.append("reflected markup unescaped")
    if 200 <= status < 300:
        if principal == ANONYMOUS and admits.login:
            found.append(f"answered {status} without a login")
        elif principal != ANONYMOUS and Role(principal) not in admits.roles(case):
            found.append(f"answered {status} to a role the rule forbids")
    return found


def test_the_fuzzed_schema_describes_every_route_the_app_serves(whole, every_route_schema):
    described = {
        (method.upper(), path)
        for path, item in every_route_schema.raw_schema["paths"].items()
        for method in item
    }
    assert described == served_operations(whole.app)
    operations = [r.ok() for r in every_route_schema.get_all_operations()]
    assert {(o.method.upper(), o.path) for o in operations} == described


def test_every_route_has_an_authorisation_rule_and_only_routes_without_a_role_are_listed(whole):
    served = served_operations(whole.app)
    assert set(authorisation(whole)) == served
    assert set(WITHOUT_ROLE) <= served, "a listed route the app no longer serves"
    for context in route_contexts(whole.app):
        if hasattr(context, "dependant") and allowed_roles(context) is not None:
            listed = {(m, context.path_format) for m in context.methods or ()} & set(WITHOUT_ROLE)
            assert not listed, f"{listed} has require(...); take it off the list"
        elif hasattr(context, "dependant") and needs_login(context):
            for method in context.methods or ():
                assert WITHOUT_ROLE[(method, context.path_format or "")].login


def test_the_role_list_comes_from_the_role_enum(whole):
    assert set(whole.headers) == {ANONYMOUS, *(role.value for role in Role)}


def inputs(operation):  # type: ignore[no-untyped-def]
    """Valid requests, and invalid ones (wrong types, out of range, missing fields)."""
    return operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )


def fuzz(operation, whole: WholeApp, admits: Admits) -> None:  # type: ignore[no-untyped-def]
    """Every generated request (and the operation's EDGES) as every principal."""
    key = (operation.method.upper(), operation.path)
    principals = [p for p in whole.headers if p == ANONYMOUS or key not in PASSWORD_CHECKS]

    @FUZZ_SETTINGS
    @given(case=inputs(operation))
    def as_everyone(case: Case) -> None:
        found = []
        for principal in principals:
            response = case.call(headers=whole.headers[principal], max_redirects=0)
            found += [f"as {principal}: {p}" for p in problems(case, principal, response, admits)]
        assert not found, "\n".join(found) + "\n" + case.as_curl_command()

    for edge in EDGES.get(key, []):
        as_everyone = example(case=operation.Case(**edge))(as_everyone)
    as_everyone()


def test_no_route_answers_5xx_lacks_security_headers_or_admits_a_forbidden_role(
    whole, every_route_schema
):
    rules = authorisation(whole)
    failing: list[str] = []
    for result in every_route_schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, whole, rules[(operation.method.upper(), operation.path)])
        # Every operation is tried and all failures reported at once; an app exception
        # (a 500 the test client re-raises) can be of any type.
        except Exception as exc:  # noqa: BLE001
            failing.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failing, "\n\n".join(failing)


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_linked_steps_as_each_role_keep_the_same_rules(role, whole, every_route_schema):
    rules = authorisation(whole)

    class AsRole(every_route_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case) -> dict:
            return {"headers": whole.headers[role], "max_redirects": 0}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
            admits = rules[(case.operation.method.upper(), case.operation.path)]
            found = problems(case, role, response, admits)
            assert not found, "\n".join(found) + "\n" + case.as_curl_command()

    AsRole.run(settings=settings(FUZZ_SETTINGS, max_examples=12, stateful_step_count=8))
