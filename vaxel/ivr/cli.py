"""`vaxel disruption …`, `vaxel hours …` and `vaxel prompts build`.

They change the same tables the running controller reads on every call, so a change takes
effect on the next call without a restart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vaxel.clock import STOCKHOLM, Clock, OffsetClock, SystemClock

DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _fail(message: str) -> int:
    print(f"vaxel: {message}", file=sys.stderr)
    return 2


def _clock(args: argparse.Namespace) -> Clock:
    if getattr(args, "as_if", None):
        return OffsetClock(_parse_instant(args.as_if, None))
    return SystemClock()


def _parse_instant(text: str, now: datetime | None) -> datetime:
    """ISO instant (local time if no zone) or HH:MM meaning its next occurrence."""
    if now is not None and re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", text):
        hour, minute = (int(p) for p in text.split(":"))
        local = now.astimezone(STOCKHOLM)
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return at if at > local else at + timedelta(days=1)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a time like 2026-11-23T18:00 or 18:00") from None
    return at if at.tzinfo else at.replace(tzinfo=STOCKHOLM)


def _until(args: argparse.Namespace, now: datetime) -> datetime | None:
    if getattr(args, "for_", None):
        match = DURATION.fullmatch(args.for_)
        if not match:
            raise ValueError(f"'{args.for_}' is not a duration like 90m, 2h or 1d")
        return now + timedelta(seconds=float(match.group(1)) * UNIT_SECONDS[match.group(2)])
    if args.until:
        return _parse_instant(args.until, now)
    return None


def _context(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from vaxel.app import build_context
    from vaxel.config import load_site_config
    from vaxel.ivr.admin import IvrAdmin
    from vaxel.ivr.store import IvrStore

    config = load_site_config(args.config)
    clock = _clock(args)
    ctx = build_context(config, clock)
    return ctx, IvrAdmin(config, IvrStore(ctx.sessions), clock)


def _guarded(func):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        from vaxel.errors import DomainError

        try:
            return int(func(args) or 0)
        except (DomainError, ValueError) as exc:
            return _fail(str(exc))

    return run


@_guarded
def cmd_disruption_set(args: argparse.Namespace) -> int:
    ctx, admin = _context(args)
    recording = str(Path(args.recording).resolve()) if args.recording else None
    if recording and not Path(recording).is_file():
        return _fail(f"no recording at {args.recording}")
    notice = admin.set_notice(
        text_sv=args.text,
        text_en=args.text_en,
        recording=recording,
        numbers=args.number or None,
        until=_until(args, ctx.clock.now()),
        by=args.by,
    )
    ctx.auth.audit(args.by, "disruption.set", f"disruption:{notice.id}",
                   {"numbers": sorted(notice.numbers), "ends_at": notice.ends_at.isoformat()})  # fmt: skip
    print(f"disruption notice {notice.id} plays on {_numbers(notice.numbers)} until "
          f"{notice.ends_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}")  # fmt: skip
    return 0


@_guarded
def cmd_disruption_clear(args: argparse.Namespace) -> int:
    ctx, admin = _context(args)
    notice = admin.clear_notice(args.id)
    ctx.auth.audit(args.by, "disruption.clear", f"disruption:{notice.id}")
    print(f"disruption notice {notice.id} switched off")
    return 0


@_guarded
def cmd_disruption_list(args: argparse.Namespace) -> int:
    _ctx, admin = _context(args)
    notices = admin.active_notices()
    if args.json:
        print(json.dumps([_notice_json(n) for n in notices], indent=2, ensure_ascii=False))
        return 0
    if not notices:
        print("no active disruption notices")
    for n in notices:
        print(f"{n.id:>4}  until {n.ends_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}  "
              f"{_numbers(n.numbers)}  {n.text_sv}")  # fmt: skip
    return 0


@_guarded
def cmd_hours_override(args: argparse.Namespace) -> int:
    from vaxel.ivr.model import OverrideMode

    ctx, admin = _context(args)
    until = _until(args, ctx.clock.now())
    if until is None:
        return _fail("give --until or --for: an override always ends by itself")
    mode = OverrideMode.OPEN_NOW if args.open_now else OverrideMode.CLOSED_UNTIL
    admin.set_override(args.target, mode, until, destination=args.destination, by=args.by)
    ctx.auth.audit(args.by, "hours.override", args.target,
                   {"mode": mode.value, "until": until.isoformat()})  # fmt: skip
    print(f"{args.target}: {mode.value} until {until.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}")
    return 0


@_guarded
def cmd_hours_clear(args: argparse.Namespace) -> int:
    ctx, admin = _context(args)
    removed = admin.clear_override(args.target)
    if removed:
        ctx.auth.audit(args.by, "hours.clear", args.target)
    print(f"{args.target}: " + ("override removed" if removed else "had no override"))
    return 0


@_guarded
def cmd_hours_show(args: argparse.Namespace) -> int:
    from vaxel.ivr.routing import Closed, ToGuide, route

    ctx, admin = _context(args)
    at = _parse_instant(args.at, ctx.clock.now()) if args.at else ctx.clock.now()
    overrides = admin.store.overrides(at)
    for number in ctx.config.numbers:
        where = route(ctx.config, ctx.calendar, number, at, overrides)
        if isinstance(where, Closed):
            d = where.decision
            nxt = f", opens {d.next_open:%a %Y-%m-%d %H:%M}" if d.next_open else ""
            text = f"closed ({d.reason.value}{nxt})"
        elif isinstance(where, ToGuide):
            text = f"open: guide {where.mobile} for office {where.office}"
        else:
            text = f"open: queue {where.queue}"
        print(f"{number.name:<22} {text}")
    return 0


@_guarded
def cmd_prompts_build(args: argparse.Namespace) -> int:
    from vaxel.app import build_context
    from vaxel.config import load_site_config
    from vaxel.ivr.library import prompt_texts
    from vaxel.ivr.prompts import PromptRenderer, PromptRenderError
    from vaxel.ivr.texts import generated_sentences

    config = load_site_config(args.config)
    if args.sounds_dir:
        host_dir = Path(args.sounds_dir)
    else:
        from vaxel.asterisk.connection import AsteriskSettingsError, resolve

        try:
            host_dir = resolve(config.asterisk)[2]
        except AsteriskSettingsError as exc:
            return _fail(f"{exc}; or give --sounds-dir")
    renderer = PromptRenderer(host_dir, str(config.asterisk.sounds_dir))
    ctx = build_context(config, _clock(args))
    items: list[tuple[str, str, str]] = [
        (name, text, lang) for (name, lang), text in sorted(prompt_texts(config).items()) if text
    ]
    items += list(generated_sentences(config, ctx.calendar, ctx.clock.now()))
    rows: list[dict[str, Any]] = []
    try:
        for name, text, lang in items:
            rendered = renderer.render(name if not _generated(name) else "sentence", text, lang)
            rows.append({"name": name, "lang": lang, "text": text,
                         "seconds": round(rendered.seconds, 2), "path": str(rendered.host_path)})  # fmt: skip
    except PromptRenderError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row['seconds']:6.2f} s  {row['lang']}  {row['name']:<26} {row['text'][:70]}")
    total = sum(r["seconds"] for r in rows)
    print(f"{len(rows)} prompts, {total:.1f} s of audio, in {host_dir}")
    return 0


def _generated(name: str) -> bool:
    return name.startswith(("closed-", "position-"))


def _numbers(numbers: frozenset[str]) -> str:
    return ", ".join(sorted(numbers)) if numbers else "all numbers"


def _notice_json(n: Any) -> dict[str, Any]:
    return {"id": n.id, "text_sv": n.text_sv, "text_en": n.text_en, "recording": n.recording,
            "numbers": sorted(n.numbers), "starts_at": n.starts_at.isoformat(),
            "ends_at": n.ends_at.isoformat()}  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", required=True)
        p.add_argument("--as-if", help="use the clock of a controller run with --as-if")
        p.add_argument("--by", default="cli", help="who makes the change (audit log)")
        return p

    disruption = sub.add_parser("disruption", help="disruption notices played first on calls")
    d_sub = disruption.add_subparsers(dest="disruption_command", required=True)
    d_set = common(d_sub.add_parser("set", help="switch a notice on"))
    d_set.add_argument("--text", required=True, help="Swedish text, rendered to speech")
    d_set.add_argument("--text-en", help="English text for callers who chose English")
    d_set.add_argument("--recording", help="a recorded WAV file to play instead of the text")
    d_set.add_argument("--number", action="append", help="a number's name; repeat; default all")
    ends = d_set.add_mutually_exclusive_group()
    ends.add_argument("--until", help="end time, e.g. 2026-11-23T18:00 or 18:00")
    ends.add_argument("--for", dest="for_", help="duration, e.g. 90m or 2h")
    d_set.set_defaults(func=cmd_disruption_set)
    d_clear = common(d_sub.add_parser("clear", help="switch a notice off"))
    d_clear.add_argument("id", type=int)
    d_clear.set_defaults(func=cmd_disruption_clear)
    d_list = common(d_sub.add_parser("list", help="active notices"))
    d_list.add_argument("--json", action="store_true")
    d_list.set_defaults(func=cmd_disruption_list)

    hours = sub.add_parser("hours", help="opening hours: show, override, clear an override")
    h_sub = hours.add_subparsers(dest="hours_command", required=True)
    h_over = common(h_sub.add_parser("override", help="'open now' or 'closed until …'"))
    h_over.add_argument(
        "--target", required=True, help="number:<name>, queue:<name>, office:<name>"
    )
    mode = h_over.add_mutually_exclusive_group(required=True)
    mode.add_argument("--open-now", action="store_true")
    mode.add_argument("--closed", action="store_true")
    h_end = h_over.add_mutually_exclusive_group()
    h_end.add_argument("--until", help="end time, e.g. 2026-11-23T18:00 or 18:00")
    h_end.add_argument("--for", dest="for_", help="duration, e.g. 90m or 2h")
    h_over.add_argument("--destination", help="open now to another queue: queue:<name>")
    h_over.set_defaults(func=cmd_hours_override)
    h_clear = common(h_sub.add_parser("clear", help="remove an override"))
    h_clear.add_argument("--target", required=True)
    h_clear.set_defaults(func=cmd_hours_clear)
    h_show = common(h_sub.add_parser("show", help="where each number goes now (or --at)"))
    h_show.add_argument("--at", help="an instant, e.g. 2026-12-24T10:00")
    h_show.set_defaults(func=cmd_hours_show)

    prompts = sub.add_parser("prompts", help="prompt audio")
    p_sub = prompts.add_subparsers(dest="prompts_command", required=True)
    build = p_sub.add_parser("build", help="render every prompt and report durations")
    build.add_argument("--config", required=True)
    build.add_argument("--sounds-dir", help="render here instead of the configured directory")
    build.add_argument("--as-if", help="compose the sentences as if it were this instant")
    build.add_argument("--json", action="store_true")
    build.set_defaults(func=cmd_prompts_build)
