"""`vaxel stats ...` and `vaxel report ...`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from vaxel.stats.model import STOCKHOLM


def _ctx(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from vaxel.app import build_context
    from vaxel.config import load_site_config

    return build_context(load_site_config(args.config))


def _parts(ctx):  # type: ignore[no-untyped-def]
    from vaxel.stats.wiring import build_parts

    return build_parts(ctx)


def cmd_listen(args: argparse.Namespace) -> int:
    from vaxel import logs

    logs.configure(args.log_level)
    return asyncio.run(_listen(args))


async def _listen(args: argparse.Namespace) -> int:
    from vaxel.asterisk.ami import AmiClient, AmiError
    from vaxel.asterisk.connection import AsteriskSettingsError, resolve
    from vaxel.stats.journal import Journal, JournalWriter
    from vaxel.stats.listener import Listener
    from vaxel.stats.paths import cel_path, journal_dir

    ctx = _ctx(args)
    parts = _parts(ctx)
    try:
        _, ami_settings, _ = resolve(ctx.config.asterisk)
    except AsteriskSettingsError as exc:
        print(f"vaxel: {exc}", file=sys.stderr)
        return 3
    writer = JournalWriter(Journal(journal_dir(ctx.config), "listener"), parts.ingest.apply)
    ami = AmiClient(ami_settings)
    listener = Listener(ami=ami, writer=writer, ingest=parts.ingest, cel_path=cel_path(ctx.config),
                        app=ctx.config.asterisk.app, tz=ctx.calendar.tz)  # fmt: skip
    listener.attach()
    writer.start()
    try:
        await ami.start()
    except AmiError as exc:
        print(f"vaxel: {exc}", file=sys.stderr)
        return 3
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.ready_file:
        await ami.logged_in.wait()
        args.ready_file.write_text("ready\n")
    day = ctx.clock.now().date()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=60)
        except TimeoutError:
            await listener.backfill()
            if ctx.clock.now().date() != day:
                # A segment a day: the controller's privacy job ages every journal's segments.
                day = ctx.clock.now().date()
                writer.journal.rotate(ctx.clock.now())
    await ami.stop()
    await writer.stop()
    return 0


def _range(args: argparse.Namespace) -> tuple[datetime, datetime]:
    first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    return (datetime.combine(first, time(), STOCKHOLM),
            datetime.combine(last + timedelta(days=1), time(), STOCKHOLM))  # fmt: skip


def cmd_backfill(args: argparse.Namespace) -> int:
    from vaxel.stats.paths import cel_path
    from vaxel.stats.reconcile import backfill

    ctx = _ctx(args)
    n = backfill(
        _parts(ctx).ingest,
        cel_path(ctx.config),
        ctx.config.asterisk.app,
        from_start=args.from_start,
    )
    print(f"backfilled {n} facts from {cel_path(ctx.config)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from vaxel.stats.paths import cel_path
    from vaxel.stats.reconcile import verify

    ctx = _ctx(args)
    start, end = _range(args)
    diff, checked = verify(ctx.sessions, cel_path(ctx.config), ctx.config.asterisk.app, start, end)
    for line in diff.lines():
        print(line)
    print(f"{checked} contacts in Asterisk's record from {args.first} to {args.last}: "
          + ("no difference" if diff.empty() else f"{len(diff.lines())} differences"))  # fmt: skip
    return 0 if diff.empty() else 1


def cmd_synth(args: argparse.Namespace) -> int:
    from vaxel.stats.synth import generate
    from vaxel.stats.synthstore import load

    ctx = _ctx(args)
    start = (
        date.fromisoformat(args.start)
        if args.start
        else ctx.clock.now().date() - timedelta(days=args.days)
    )
    contacts = generate(args.calls, start, args.days, args.seed,
                        is_working_day=ctx.calendar.is_working_day)  # fmt: skip
    n = load(ctx.sessions, contacts)
    days = _parts(ctx).reader.refresh()
    print(
        f"generated {n} synthetic contacts from {start} over {args.days} days; {days} days rolled up"
    )
    return 0


def cmd_privacy(args: argparse.Namespace) -> int:
    from vaxel.stats.paths import cel_path, journal_dir
    from vaxel.stats.segments import age_cel, age_journals

    ctx = _ctx(args)
    service = _parts(ctx).service
    n = service.pseudonymise_due()
    gone = service.delete_expired()
    # Rotating the live files is the controller's (it owns the journal and the CEL reader);
    # ageing segments already rotated is safe from here.
    aged = age_cel(cel_path(ctx.config), ctx.config.asterisk.app, service.raw_number_cutoff(),
                   service.retention_cutoff(), service.pseudonym)  # fmt: skip
    journals = age_journals(journal_dir(ctx.config), service.raw_number_cutoff())
    print(f"pseudonymised {n} contacts; deleted {gone} contacts past retention; "
          f"CEL segments: {aged.reduced} records reduced, {aged.dropped} dropped, "
          f"{aged.deleted} deleted; journal segments deleted: {journals}")  # fmt: skip
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from vaxel.errors import DomainError
    from vaxel.stats.api import parse_day, report_query
    from vaxel.stats.render import render

    ctx = _ctx(args)
    try:
        q = report_query(args.name, parse_day(args.first, "from"), parse_day(args.last, "to"),
                         args.period, args.number, args.queue, args.department)  # fmt: skip
    except DomainError as exc:
        print(f"vaxel: {exc}", file=sys.stderr)
        return 2
    report = _parts(ctx).service.report(q)
    body = render(report, args.format, args.lang)
    if args.output:
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    return 0


def _with_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True)


def _with_range(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="first", required=True, help="first local day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, help="last local day (inclusive)")


def register(sub: argparse._SubParsersAction) -> None:
    from vaxel.stats.render import FORMATS
    from vaxel.stats.reports import REPORTS

    stats = sub.add_parser("stats", help="call statistics")
    s = stats.add_subparsers(dest="stats_command", required=True)
    listen = s.add_parser("listen", help="run the AMI listener alone")
    _with_config(listen)
    listen.add_argument("--log-level", default="info")
    listen.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    listen.set_defaults(func=cmd_listen)
    back = s.add_parser("backfill", help="fill in from Asterisk's CEL record")
    _with_config(back)
    back.add_argument(
        "--from-start",
        action="store_true",
        help="on a store that never read the CEL file, import its whole history",
    )
    back.set_defaults(func=cmd_backfill)
    ver = s.add_parser("verify", help="compare the store with Asterisk's CEL record")
    _with_config(ver)
    _with_range(ver)
    ver.set_defaults(func=cmd_verify)
    syn = s.add_parser("synth", help="generate synthetic call logs into the store")
    _with_config(syn)
    syn.add_argument("--calls", type=int, required=True)
    syn.add_argument("--days", type=int, default=365)
    syn.add_argument("--start", help="first day (default: --days before today)")
    syn.add_argument("--seed", type=int, default=1)
    syn.set_defaults(func=cmd_synth)
    priv = s.add_parser("privacy", help="pseudonymise due numbers and apply retention now")
    _with_config(priv)
    priv.set_defaults(func=cmd_privacy)

    rep = sub.add_parser("report", help="accessibility and other reports")
    rep.add_argument("name", choices=REPORTS)
    _with_config(rep)
    _with_range(rep)
    rep.add_argument("--period", default="day", choices=["day", "week", "month"])
    rep.add_argument("--number", action="append", help="number dialled (name); repeatable")
    rep.add_argument("--queue")
    rep.add_argument("--department")
    rep.add_argument("--format", default="json", choices=FORMATS)
    rep.add_argument("--lang", default="sv", choices=["sv", "en"])
    rep.add_argument("--output", "-o", help="file to write (default: stdout)")
    rep.set_defaults(func=cmd_report)
