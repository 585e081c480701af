"""The whole web app in-process (every package wired, no Asterisk), one user per role, and an
OpenAPI document that describes every route the app serves, pages included.

The app's own /api/v1/openapi.json leaves the pages out (``include_in_schema=False``) and
cannot describe the Starlette routes (the docs, the static files); the fuzz tests need all
of them, so the document is built here from the app's routes themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from tests.support.controller import write_site_file
from vaxel.app import build_context, package_wiring
from vaxel.config import load_site_config
from vaxel.directory.importer import slug
from vaxel.directory.imports import run_import
from vaxel.directory.store import DirectoryStore
from vaxel.web.app import create_app, current_user
from vaxel.web.auth import Role

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "directory.csv"
PASSWORD = "correct horse battery"
# The officer is a person in the example directory; the unit admin administers that person's unit.
OFFICER_PERSON = "E10005"
ADMINISTERED_UNIT = slug("Tekniska förvaltningen", "Torghandel och upplåtelser")
ANONYMOUS = "anonymous"

Operation = tuple[str, str]  # (METHOD, path template)


@dataclass
class WholeApp:
    app: FastAPI
    # principal name (a role's value, or ANONYMOUS) -> the headers that identify it
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def build_whole_app(directory: Path) -> WholeApp:
    """Every package wired as `vaxel web` would (no Asterisk); one user per Role."""
    db_url = f"sqlite:///{directory / 'vaxel.db'}"
    ctx = build_context(load_site_config(write_site_file(directory, database_url=db_url)))
    report = run_import(DirectoryStore(ctx.sessions), EXAMPLE.read_text(encoding="utf-8"),
                        ctx.config.number_policy, dry_run=False)  # fmt: skip
    assert report.applied and not report.problems
    for role in Role:
        ctx.auth.create_user(
            username=role.value, display_name=role.value.title(), password=PASSWORD, roles={role},
            person_id=OFFICER_PERSON if role is Role.OFFICER else None,
            unit_id=ADMINISTERED_UNIT if role is Role.UNIT_ADMIN else None,
        )  # fmt: skip
    for wire in package_wiring():
        wire(ctx)
    whole = WholeApp(create_app(ctx))
    client = TestClient(whole.app)
    whole.headers[ANONYMOUS] = {}
    for role in Role:
        reply = client.post(
            "/api/v1/auth/login", json={"username": role.value, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        whole.headers[role.value] = {"Authorization": f"Bearer {reply.json()['token']}"}
    return whole


def route_contexts(app: FastAPI) -> Iterator[RouteContext]:
    return iter_route_contexts(app.routes)


def served_operations(app: FastAPI) -> set[Operation]:
    """Every (method, path) the app answers; HEAD is answered by the GET handler."""
    found: set[Operation] = set()
    for context in route_contexts(app):
        route = context.original_route
        if isinstance(route, Mount):
            found.add(("GET", f"{route.path}/{{path}}"))
        elif isinstance(route, APIRoute | Route):
            found |= {
                (m, context.path_format or "") for m in (context.methods or ()) if m != "HEAD"
            }
        else:
            raise AssertionError(f"a route of a kind the fuzz test does not know: {route!r}")
    return found


def allowed_roles(context: RouteContext) -> frozenset[Role] | None:
    """The roles a route's ``require(...)`` admits (admins always), or None without one."""
    found: frozenset[Role] | None = None
    for dependency in _dependencies(context.dependant):
        roles = getattr(dependency.call, "allowed_roles", None)
        if roles is not None:
            found = (found if found is not None else frozenset(Role)) & (roles | {Role.ADMIN})
    return found


def needs_login(context: RouteContext) -> bool:
    return any(d.call is current_user for d in _dependencies(context.dependant))


def _dependencies(dependant: Any) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


class _Described(RouteContext):
    """A route as it would be if it were in the schema: pages are described like the API."""

    @property
    def include_in_schema(self) -> bool:
        return True


def openapi_for_every_route(
    app: FastAPI,
    links: dict[tuple[str, str, str], dict],
    known: dict[str, list[str]] | None = None,
    undeclared_query: dict[Operation, list[str]] | None = None,
) -> dict:
    """The OpenAPI document for every operation, with

    - ``links``: (method, path, status) -> {link name: (target method, target path, parameters)};
    - ``known``: parameter name -> values the app knows (a report's name, a person id), offered
      beside the parameter's own schema so generated requests reach past the "not found";
    - ``undeclared_query``: query parameters a page reads from the request itself.
    """
    api = [c for c in route_contexts(app) if isinstance(c.original_route, APIRoute)]
    described = [_Described(c.route, c._route_context) for c in api]
    document = get_openapi(title=app.title, version=app.version, routes=described)
    paths = document["paths"]
    for context in route_contexts(app):
        route = context.original_route
        if isinstance(route, Mount):
            paths[f"{route.path}/{{path}}"] = {"get": _plain("static_file", path_parameter=True)}
        elif isinstance(route, Route) and not isinstance(route, APIRoute):
            paths[route.path] = {"get": _plain(route.name)}
    for (method, path), names in (undeclared_query or {}).items():
        paths[path][method.lower()]["parameters"] = [
            {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
            for n in names
        ]
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                values = (known or {}).get(parameter["name"])
                if values:
                    parameter["schema"] = {"anyOf": [{"enum": values}, parameter["schema"]]}
    for (method, path, status), named in links.items():
        response = paths[path][method.lower()]["responses"][status]
        response["links"] = {
            name: {"operationId": paths[target_path][target_method.lower()]["operationId"],
                   "parameters": parameters}
            for name, (target_method, target_path, parameters) in named.items()
        }  # fmt: skip
    return document


def _plain(name: str, path_parameter: bool = False) -> dict:
    operation: dict[str, Any] = {"operationId": name, "responses": {"200": {"description": "OK"}}}
    if path_parameter:
        operation["parameters"] = [
            {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}
        ]
    return operation
