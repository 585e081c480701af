"""`vaxel wallboard kiosk add|list|revoke`: the wallboard's kiosk screens."""

from __future__ import annotations

import argparse
import sys


def _kiosks(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from vaxel.app import build_context
    from vaxel.config import load_site_config
    from vaxel.console.wallboard_store import KioskStore

    ctx = build_context(load_site_config(args.config))
    return ctx, KioskStore(ctx.sessions)


def cmd_add(args: argparse.Namespace) -> int:
    from vaxel.errors import DomainError

    ctx, kiosks = _kiosks(args)
    try:
        kiosk, token = kiosks.add(args.name, f"cli:{args.by}", ctx.clock.now())
    except DomainError as exc:
        print(f"vaxel: {exc}", file=sys.stderr)
        return 2
    ctx.auth.audit(
        f"cli:{args.by}", "wallboard.kiosk.add", f"kiosk:{kiosk.id}", {"name": kiosk.name}
    )
    base = ctx.config.web.public_url.rstrip("/")
    print(f"kiosk {kiosk.id} '{kiosk.name}': {base}/kiosk/{token}")
    print("the link is shown only now; 'vaxel wallboard kiosk revoke' stops it at once")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    _ctx, kiosks = _kiosks(args)
    for k in kiosks.all():
        state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        print(f"{k.id}\t{k.name}\t{state}\tadded {k.created_at:%Y-%m-%d %H:%M} by {k.created_by}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from vaxel.errors import NotFound

    ctx, kiosks = _kiosks(args)
    try:
        kiosk = kiosks.revoke(args.id, f"cli:{args.by}", ctx.clock.now())
    except NotFound as exc:
        print(f"vaxel: {exc}", file=sys.stderr)
        return 1
    ctx.auth.audit(f"cli:{args.by}", "wallboard.kiosk.revoke", f"kiosk:{kiosk.id}")
    print(f"kiosk {kiosk.id} '{kiosk.name}' revoked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    wallboard = sub.add_parser("wallboard", help="the supervisors' wallboard")
    wallboard_sub = wallboard.add_subparsers(dest="wallboard_command", required=True)
    kiosk = wallboard_sub.add_parser("kiosk", help="read-only wallboard screens with a link")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", required=True)
    for name, func, helptext in (("add", cmd_add, "a new screen and its link"),
                                 ("list", cmd_list, "every screen, active or revoked"),
                                 ("revoke", cmd_revoke, "stop a screen's link at once")):  # fmt: skip
        command = kiosk_sub.add_parser(name, help=helptext)
        command.add_argument("--config", required=True)
        command.set_defaults(func=func)
        if name == "add":
            command.add_argument("name", help="where the screen hangs, e.g. 'Kundtjänst vägg'")
        if name == "revoke":
            command.add_argument("id", type=int)
        if name != "list":
            command.add_argument("--by", default="admin", help="who does it, for the audit log")
