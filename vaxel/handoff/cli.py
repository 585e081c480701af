"""`vaxel handoff list` and `vaxel messages list [--open|--overdue]`, `vaxel messages handle REF`.

Both read the store, so they work whether or not the controller runs: the handoff's state
is persisted on every transition, and messages live only in the database (the controller's
scheduler picks up whatever changed there). ``messages handle`` marks a message handled as
its e-mail link would, for a case officer who phoned the citizen back without the link.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from vaxel.handoff.wording import spoken_time

STATE_WORDS = {
    "Resolving": "looking up the target",
    "Ringing": "ringing the target",
    "Whispering": "target answered, whisper",
    "Consulting": "telephonist talking to the target",
    "RingingTelephonist": "back: ringing the telephonist",
    "Requeued": "back: at the head of the queue",
    "Returned": "back with a telephonist",
    "ReferredToPhoneHours": "caller hears the phone hours",
    "TakingMessage": "taking a message",
    "Done": "done, still connected",
}


def register(subparsers: Any) -> None:
    handoff = subparsers.add_parser("handoff", help="follow-the-call transfers")
    sub = handoff.add_subparsers(dest="handoff_command", required=True)
    listing = sub.add_parser("list", help="handoffs in progress, from the store")
    listing.add_argument("--config", required=True)
    listing.set_defaults(func=cmd_handoff_list)

    messages = subparsers.add_parser("messages", help="messages taken for case officers")
    msub = messages.add_subparsers(dest="messages_command", required=True)
    mlist = msub.add_parser("list", help="messages, newest first")
    mlist.add_argument("--config", required=True)
    which = mlist.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="not handled yet")
    which.add_argument("--overdue", action="store_true", help="not handled by the deadline")
    mlist.add_argument("--limit", type=int, default=200)
    mlist.set_defaults(func=cmd_messages_list)
    handle = msub.add_parser("handle", help="mark a message handled")
    handle.add_argument("reference", help="e.g. M-2026-000123")
    handle.add_argument("--config", required=True)
    handle.set_defaults(func=cmd_messages_handle)


def _store(config: Any) -> Any:
    from vaxel import db
    from vaxel.handoff.store import HandoffStore

    return HandoffStore(db.make_sessionmaker(db.make_engine(config.database.url)))


def _age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def handoff_lines(config: Any, now: datetime | None = None) -> list[str]:
    from vaxel.handoff.store import loads

    now = now or datetime.now(UTC)
    rows = sorted(_store(config).open_handoffs(), key=lambda r: r.created_at)
    lines = [f"{len(rows)} handoff(s) in progress"]
    for row in rows:
        state = loads(row.state)
        ctx = getattr(state, "ctx", None)
        failure = getattr(state, "failure", None)
        target = getattr(state, "target", None) or getattr(failure, "target", None)
        parts = [STATE_WORDS.get(row.state_kind, row.state_kind)]
        if ctx is not None:
            parts.append(ctx.mode.value)
        if failure is not None:
            parts.append(f"reason {failure.outcome.value}")
            if failure.colleague:
                parts.append(f"free colleague {failure.colleague}")
        lines.append(
            f"  {row.id}  {_age(row.created_at, now):>6}  {row.telephonist} -> "
            f"{target.name if target else '?'}: {', '.join(parts)}"
        )
    return lines


def message_lines(config: Any, *, only: str = "all", limit: int = 200,
                  now: datetime | None = None) -> list[str]:  # fmt: skip
    from vaxel.handoff import messages as model
    from vaxel.handoff.store import message_of

    now = now or datetime.now(UTC)
    rows = _store(config).messages(limit=limit)
    keep = {
        "all": lambda m: True,
        "open": model.is_open,
        "overdue": lambda m: model.is_overdue(m, now),
    }[only]
    shown = [(row, message) for row in rows if keep(message := message_of(row))]
    lines = [f"{len(shown)} message(s)" + ("" if only == "all" else f" {only}")]
    for row, message in shown:
        late = " OVERDUE" if model.is_overdue(message, now) else ""
        delivery = f"{row.channel} {row.status}, {row.delivery_attempts} attempt(s)"
        if row.last_error:
            delivery += f", last error: {row.last_error[:80]}"
        lines.append(
            f"  {message.reference}  {message.urgency.value:<6} to {message.target_unit}: "
            f"{message.subject[:60]}  (deadline {spoken_time(message.deadline)}{late}; "
            f"{delivery})"
        )
    return lines


def _read(lines: Any) -> int:
    from vaxel.cli import print_from_store

    return print_from_store("handoff", lines)


def cmd_handoff_list(args: argparse.Namespace) -> int:
    from vaxel.config import load_site_config

    config = load_site_config(args.config)
    return _read(lambda: handoff_lines(config))


def cmd_messages_list(args: argparse.Namespace) -> int:
    from vaxel.config import load_site_config

    config = load_site_config(args.config)
    only = "open" if args.open else "overdue" if args.overdue else "all"
    return _read(lambda: message_lines(config, only=only, limit=args.limit))


def cmd_messages_handle(args: argparse.Namespace) -> int:
    from vaxel.app import build_context
    from vaxel.config import load_site_config
    from vaxel.errors import NotFound
    from vaxel.handoff.messages import REFERENCE, Message
    from vaxel.handoff.wiring import build_messages
    from vaxel.stats.sink import StoreSink
    from vaxel.stats.wiring import build_parts

    if not REFERENCE.fullmatch(args.reference):
        print(f"vaxel: {args.reference!r} is not a reference like M-2026-000123", file=sys.stderr)
        return 2
    ctx = build_context(load_site_config(args.config))
    ctx.services["labels"] = StoreSink(build_parts(ctx).ingest.apply)  # for the statistics
    messages = build_messages(ctx)

    async def handle() -> Message:
        try:
            return await messages.mark_handled(reference=args.reference)
        finally:
            await messages.flush()

    try:
        message = asyncio.run(handle())
    except NotFound:
        print(f"vaxel: no message {args.reference}", file=sys.stderr)
        return 1
    print(
        f"{message.reference}: handled at {spoken_time(message.handled_at or message.created_at)}"
    )
    return 0
