"""`vaxel queue status` and `vaxel queue telephonist login|logout|pause|unpause ID`.

``status`` reads the store (what the controller last persisted): each queue's open entries
in order, with position and wait, and every telephonist's state. It works whether or not
the controller runs.

``telephonist`` changes a telephonist's state through the running controller's HTTP API
(``POST /api/v1/queues/telephonists/{id}/...``), because the queue state lives in the
controller: writing the store behind its back would be overwritten. It needs the web
server enabled in the site file and an account (``--user``, password on stdin). Without
the web server, telephonists use the feature codes on their softphone (*21 log in,
*22 log out, *23 pause, *24 end the pause).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

ACTIONS = ("login", "logout", "pause", "unpause")


def register(subparsers: Any) -> None:
    queue = subparsers.add_parser("queue", help="the controller's call queues")
    sub = queue.add_subparsers(dest="queue_command", required=True)

    status = sub.add_parser("status", help="waiting callers and telephonists, from the store")
    status.add_argument("--config", required=True)
    status.set_defaults(func=cmd_status)

    person = sub.add_parser("telephonist", help="log a telephonist in or out, pause, unpause")
    person.add_argument("action", choices=ACTIONS)
    person.add_argument("telephonist", help="the telephonist's id in the site file, e.g. t1001")
    person.add_argument("--config", required=True)
    person.add_argument("--user", required=True, help="account name; password read from stdin")
    person.add_argument("--reason", default="paused", help="for 'pause'")
    person.add_argument("--url", help="the controller's web address (default: web.public_url)")
    person.set_defaults(func=cmd_telephonist)


def _wait(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def status_lines(config: Any, now: datetime | None = None) -> list[str]:
    """The report ``vaxel queue status`` prints (separate from I/O for the tests)."""
    from vaxel import db
    from vaxel.queue.estimate import position
    from vaxel.queue.store import QueueStore, status_of

    now = now or datetime.now(UTC)
    store = QueueStore(db.make_sessionmaker(db.make_engine(config.database.url)))
    waiting = store.open_entries()
    lines: list[str] = []
    names = [q.name for q in config.queues]
    names += sorted({e.queue for e in waiting} - set(names))  # entries of removed queues
    for name in names:
        mine = sorted((e for e in waiting if e.queue == name), key=lambda e: position(e, waiting))
        lines.append(f"queue {name}: {len(mine)} waiting")
        for entry in mine:
            marks = [entry.kind.value, entry.state.value]
            if entry.is_returned:
                marks.append("returned")
            if entry.offered_to:
                marks.append(f"offered to {entry.offered_to}")
            lines.append(
                f"  {position(entry, waiting):>3}. wait {_wait((now - entry.entered_at).total_seconds()):>6}"
                f"  {entry.id}  {', '.join(marks)}"
            )
    rows = store.telephonist_rows()
    lines.append("telephonists:")
    for person in config.telephonists:
        row = rows.get(person.id)
        if row is None:
            lines.append(f"  {person.id:<10} logged out (never logged in)")
            continue
        detail = _describe(status_of(row), now)
        extra = f" ({row.missed} missed)" if row.missed else ""
        lines.append(f"  {person.id:<10} {row.status.replace('_', ' ')}{detail}{extra}")
    return lines


def _describe(status: Any, now: datetime) -> str:
    from vaxel.queue.telephonists import OnCall, Paused, Ringing, Wrapup

    match status:
        case Paused(reason):
            return f": {reason}"
        case Ringing(entry_id, _) | OnCall(entry_id):
            return f": {entry_id}"
        case Wrapup(until):
            return f": until {until.astimezone(UTC):%H:%M:%S} UTC"
    return ""


def cmd_status(args: argparse.Namespace) -> int:
    from vaxel.cli import print_from_store
    from vaxel.config import load_site_config

    config = load_site_config(args.config)
    return print_from_store("queue", lambda: status_lines(config))


def cmd_telephonist(args: argparse.Namespace) -> int:
    import httpx

    from vaxel.config import load_site_config

    config = load_site_config(args.config)
    if not config.web.enabled:
        print(
            "vaxel: the web API is disabled in the site file ([web] enabled = false), and the "
            "queue state lives in the running controller, so this command cannot change it. "
            "Enable the web server, or dial *21 (log in), *22 (log out), *23 (pause) or "
            "*24 (end the pause) from the telephonist's softphone.",
            file=sys.stderr,
        )
        return 2
    if args.telephonist not in {t.id for t in config.telephonists}:
        print(f"vaxel: no telephonist '{args.telephonist}' in the site file", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
    base = (args.url or config.web.public_url).rstrip("/")
    try:
        with httpx.Client(base_url=f"{base}/api/v1", timeout=10) as http:
            login = http.post("/auth/login", json={"username": args.user, "password": password})
            if login.status_code != 200:
                print(f"vaxel: login as {args.user} refused: {_detail(login)}", file=sys.stderr)
                return 1
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            body = {"reason": args.reason} if args.action == "pause" else None
            reply = http.post(f"/queues/telephonists/{args.telephonist}/{args.action}",
                              json=body, headers=headers)  # fmt: skip
    except httpx.HTTPError as exc:
        print(f"vaxel: cannot reach the controller at {base}: {exc}", file=sys.stderr)
        return 3
    if reply.status_code != 200:
        print(f"vaxel: {args.action} refused: {_detail(reply)}", file=sys.stderr)
        return 1
    state = reply.json()
    print(f"{state['id']}: {state['status']} ({state['detail']})")
    return 0


def _detail(reply: Any) -> str:
    try:
        return str(reply.json().get("detail", reply.status_code))
    except ValueError:
        return f"HTTP {reply.status_code}"
