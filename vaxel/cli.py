"""The `vaxel` command. Every failure a person can fix is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

# Each package may add subcommands in vaxel/<package>/cli.py with register(subparsers).
PACKAGE_COMMANDS = ("ivr", "queue", "directory", "handoff", "stats")
EXIT_CONFIG = 2
EXIT_ASTERISK = 3


def print_from_store(store: str, lines) -> int:  # type: ignore[no-untyped-def]
    """Print what ``lines()`` reads from a store; a missing or unmigrated database (the usual
    cause of an SQLAlchemy error here) is one line saying what to run."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        text = lines()
    except SQLAlchemyError as exc:
        print(f"vaxel: cannot read the {store} store: {exc.__class__.__name__}", file=sys.stderr)
        print("vaxel: run 'vaxel db upgrade --config ...' first", file=sys.stderr)
        return 1
    print("\n".join(text))
    return 0


def _fail(message: str, code: int) -> int:
    print(f"vaxel: {message}", file=sys.stderr)
    return code


def _load(path: str):  # type: ignore[no-untyped-def]
    from vaxel.config import load_site_config

    return load_site_config(path)


def cmd_run(args: argparse.Namespace) -> int:
    from vaxel import app, logs
    from vaxel.asterisk.ami import AmiError
    from vaxel.asterisk.ari import AriError
    from vaxel.asterisk.connection import AsteriskSettingsError
    from vaxel.clock import STOCKHOLM, OffsetClock

    config = _load(args.config)
    logs.configure(args.log_level)
    clock = None
    if args.as_if:
        at = datetime.fromisoformat(args.as_if)
        clock = OffsetClock(at if at.tzinfo else at.replace(tzinfo=STOCKHOLM))
    try:
        asyncio.run(app.run(config, clock=clock, ready_file=args.ready_file))
    except (app.StartupError, AriError, AmiError, AsteriskSettingsError) as exc:
        return _fail(str(exc), EXIT_ASTERISK)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    config = _load(args.config)
    print(
        f"{args.config}: ok ({len(config.numbers)} numbers, {len(config.queues)} queues, "
        f"{len(config.offices)} offices)"
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from vaxel import db

    url = args.url or _load(args.config).database.url
    db.upgrade(url)
    print(f"database at {_redact(url)} is up to date")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from vaxel.app import build_context
    from vaxel.web.auth import Role

    ctx = build_context(_load(args.config))
    try:
        roles = {Role(r) for r in args.role}
    except ValueError:
        return _fail(f"roles are {', '.join(r.value for r in Role)}", 2)
    try:
        password = _new_password(args)
    except ValueError as exc:
        return _fail(str(exc), 2)
    try:
        ctx.auth.create_user(username=args.username, display_name=args.name or args.username,
                             password=password, roles=roles, person_id=args.person,
                             unit_id=args.unit)  # fmt: skip
    except ValueError as exc:
        return _fail(str(exc), 2)
    ctx.auth.audit("cli", "user.create", f"user:{args.username}", {"roles": sorted(roles)})
    print(f"user {args.username} created with roles {', '.join(sorted(roles))}")
    return 0


def _new_password(args: argparse.Namespace) -> str | None:
    """The new account's password: piped, typed twice at a terminal, or explicitly none.

    Silently creating an account without a password would leave an admin believing they set
    one; so without a terminal and without a flag the command refuses.
    """
    import getpass

    if args.no_password:
        if args.password_stdin:
            raise ValueError("give either --password-stdin or --no-password, not both")
        return None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValueError(
                "no password on stdin (use --no-password for a single sign-on account)"
            )
        return password
    if not sys.stdin.isatty():
        raise ValueError("no terminal to ask for the password: pipe it with --password-stdin, "
                         "or give --no-password for a single sign-on account")  # fmt: skip
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise ValueError("the two passwords differ; nothing was created")
    return password


def _sandbox(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from vaxel.asterisk.sandbox import Sandbox
    from vaxel.asterisk.sandbox_config import SandboxSettings

    return Sandbox(SandboxSettings.from_env())


def cmd_pbx(args: argparse.Namespace) -> int:
    from vaxel.asterisk.sandbox_config import PbxError

    sandbox = _sandbox(args)
    try:
        if args.action == "up":
            info = sandbox.up(log=lambda m: print(m, file=sys.stderr))
            print(f"sandbox Asterisk is up (pid {info.pid}, {info.version})")
            return 0
        if args.action == "down":
            stopped = sandbox.down()
            print("sandbox Asterisk stopped" if stopped else "sandbox Asterisk was not running")
            return 0
        if args.action == "status":
            info = sandbox.running_info()
            if info is None:
                if args.json:
                    print(json.dumps({"running": False}))
                else:
                    print("sandbox Asterisk is not running; start it with 'vaxel pbx up'")
                return 1
            if args.json:
                print(json.dumps({"running": True, **asdict(info)}, indent=2))
            else:
                print(_describe(info))
            return 0
        if args.action == "cli":
            if sandbox.running_info() is None:
                return _fail("the sandbox Asterisk is not running; start it with 'vaxel pbx up'", 1)
            return sandbox.cli(" ".join(args.command) if args.command else None)
    except PbxError as exc:
        return _fail(str(exc), EXIT_ASTERISK)
    return 1


def _describe(info) -> str:  # type: ignore[no-untyped-def]
    lines = [
        f"Asterisk   {info.version} (pid {info.pid}, root {info.root})",
        f"ARI        {info.ari_url}  user {info.ari_user}  password {info.ari_password}  app {info.app}",
        f"AMI        {info.ami_host}:{info.ami_port}  user {info.ami_user}  secret {info.ami_secret}",
        f"SIP        udp {info.sip}",
        f"Citizens   call any published number as user 'trunk', password {info.trunk['password']}",
        "           e.g. sip:+46406280400@" + info.sip,
        "Phones     extension  password                  reached at",
    ]
    for ext, phone in info.phones.items():
        lines.append(f"           {ext:<10} {phone['password']:<25} {phone['listens_on']}")
    return "\n".join(lines)


def _redact(url: str) -> str:
    import re

    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaxel", description="A municipal contact centre on Asterisk."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the controller")
    run.add_argument("--config", required=True)
    run.add_argument("--log-level", default="info")
    run.add_argument(
        "--as-if", help="run as if the local time were this ISO instant (sandbox, tests)"
    )
    run.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    config = sub.add_parser("config", help="site file tools")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a site file")
    check.add_argument("config")
    check.set_defaults(func=cmd_config_check)

    database = sub.add_parser("db", help="database migrations")
    db_sub = database.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply all migrations")
    group = upgrade.add_mutually_exclusive_group(required=True)
    group.add_argument("--config")
    group.add_argument("--url")
    upgrade.set_defaults(func=cmd_db_upgrade)

    user = sub.add_parser("user", help="accounts for the web pages and the API")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account")
    add.add_argument("--config", required=True)
    add.add_argument("--username", required=True)
    add.add_argument("--name")
    add.add_argument("--role", action="append", required=True, help="repeat for several roles")
    add.add_argument("--person", help="the directory person this account belongs to")
    add.add_argument("--unit", help="the unit a unit admin administers")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--no-password", action="store_true",
                     help="no password: the account can log in only through single sign-on")  # fmt: skip
    add.set_defaults(func=cmd_user_add)

    pbx = sub.add_parser("pbx", help="the sandbox Asterisk")
    pbx.add_argument("action", choices=["up", "down", "status", "cli"])
    pbx.add_argument("--json", action="store_true", help="status as JSON")
    pbx.add_argument("command", nargs="*", help="for 'cli': one Asterisk CLI command")
    pbx.set_defaults(func=cmd_pbx)
    for package in PACKAGE_COMMANDS:
        try:
            module = importlib.import_module(f"vaxel.{package}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"vaxel.{package}.cli":
                raise
            continue
        module.register(sub)
    importlib.import_module("vaxel.console.wallboard_cli").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from vaxel.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
