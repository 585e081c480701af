"""Queues under load (issue 3): vaxel's own queues against a plain app_queue baseline.

Scenarios (sipp citizens through the trunk, 20 sipp telephonists on the sandbox's static
phones 2001-2020, each answering, talking a few seconds and hanging up, again and again):

- ``burst``: 200 callers arrive (at --burst-rate per second) while nobody is logged in, so
  all 200 wait at once; then the 20 telephonists log in (*21; app_queue: members unpaused)
  and answer until everyone is served.
- ``rate``: the 20 telephonists are logged in; callers arrive at 10 per second for 5 minutes
  (--duration) and are served with a short talk time.

For each run: controller and Asterisk CPU over the run (utime+stime from /proc, as % of one
core), StasisStart -> first sound the caller hears (first PlaybackStarted on the channel, or
entering the holding bridge, whichever is first; from a watcher ARI app subscribed to all
events, Asterisk's own timestamps), ARI request latency (the controller records it when
VAXEL_ARI_LATENCY_FILE is set), and failed calls (sipp's failed calls plus callers the
store says were never answered).

Run: .venv/bin/python bench/bench_queue.py [--scenario burst|rate|both] [--system vaxel|app_queue|both]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]  (the store on PostgreSQL)
Needs the sandbox up with the [bench-app-queue] dialplan (asterisk_conf). Takes the
controller lock (~/.cache/vaxel/controller.lock) for the whole run: test suites that start a
controller wait meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.sipp import (  # noqa: E402
    answering_scenario,
    dial_from_phone,
    free_port,
    run_sipp,
    waiting_citizen_scenario,
)
from vaxel.asterisk.sandbox import Sandbox  # noqa: E402
from vaxel.asterisk.sandbox_config import SandboxSettings  # noqa: E402

EXAMPLE = ROOT / "examples" / "exempelkommun.toml"
SWITCHBOARD = "+46406280400"
APP_QUEUE_NUMBER = "+46406280499"  # [bench-app-queue] in asterisk_conf/extensions.conf
AS_IF = "2026-11-23T10:00:00+01:00"  # a weekday inside the centre's opening hours
PHONES = [f"20{n:02d}" for n in range(1, 21)]
TICK = os.sysconf("SC_CLK_TCK")


# --- measuring ---------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime (all threads)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ari_time(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


class Watcher:
    """A second ARI app subscribed to every channel and bridge; keeps the raw events."""

    def __init__(self, info) -> None:  # type: ignore[no-untyped-def]
        base = info.ari_url.replace("http://", "ws://")
        self.url = (
            f"{base}/events?app=vaxel-bench-watch&subscribeAll=true"
            f"&api_key={info.ari_user}:{info.ari_password}"
        )
        self.raw: list[str] = []
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise SystemExit("the watcher could not connect to ARI")

    def _run(self) -> None:
        from websockets.sync.client import connect

        with connect(self.url, max_size=None) as ws:
            self._ready.set()
            while not self._stop.is_set():
                try:
                    self.raw.append(ws.recv(timeout=0.5))  # type: ignore[arg-type]
                except TimeoutError:
                    continue

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join(5)
        return [json.loads(m) for m in self.raw]


def first_sound_ms(events: list[dict]) -> tuple[list[float], list[float]]:
    """Per vaxel caller: StasisStart -> first sound, and StasisStart -> holding bridge (ms).

    StasisStart itself goes only to the app that owns the channel, so the watcher takes the
    ChannelDialplan event of the Stasis() application, which Asterisk emits as the channel
    enters the app (same instant to within the timestamp's millisecond)."""
    start: dict[str, float] = {}
    sound: dict[str, float] = {}
    bridged: dict[str, float] = {}
    for e in events:
        kind = e.get("type")
        if kind == "ChannelDialplan":
            if e.get("dialplan_app") == "Stasis" and ",inbound," in e.get("dialplan_app_data", ""):
                start.setdefault(e["channel"]["id"], ari_time(e["timestamp"]))
        elif kind == "StasisStart" and e.get("args", [None])[0] == "inbound":
            start.setdefault(e["channel"]["id"], ari_time(e["timestamp"]))
        elif kind == "PlaybackStarted":
            target = e["playback"].get("target_uri", "")
            if target.startswith("channel:"):
                sound.setdefault(target[8:], ari_time(e["timestamp"]))
        elif kind == "ChannelEnteredBridge" and e["bridge"]["id"].startswith("vaxel-queue-"):
            at = ari_time(e["timestamp"])
            bridged.setdefault(e["channel"]["id"], at)
            sound.setdefault(e["channel"]["id"], at)
    heard = [1000 * (sound[c] - t) for c, t in start.items() if c in sound]
    queued = [1000 * (bridged[c] - t) for c, t in start.items() if c in bridged]
    return heard, queued


def app_queue_first_sound_ms(events: list[dict]) -> list[float]:
    """app_queue baseline: entering [bench-app-queue] -> the Playback() application (after
    the dialplan Answer(), which waits about 0.5 s for media)."""
    start: dict[str, float] = {}
    heard: dict[str, float] = {}
    for e in events:
        if e.get("type") != "ChannelDialplan":
            continue
        channel = e["channel"]
        if channel.get("dialplan", {}).get("context") != "bench-app-queue":
            continue
        at = ari_time(e["timestamp"])
        start.setdefault(channel["id"], at)
        if e.get("dialplan_app") == "Playback":
            heard.setdefault(channel["id"], at)
    return [1000 * (heard[c] - t) for c, t in start.items() if c in heard]


def sipp_counts(workdir: Path) -> dict[str, int]:
    """Created, successful and failed calls from sipp's statistics file (last row)."""
    stats = workdir / "callers-stats.csv"
    if not stats.exists():
        return {"created": -1, "successful": -1, "failed": -1}
    rows = list(csv.reader(stats.open(), delimiter=";"))
    header, last = rows[0], rows[-1]
    value = dict(zip(header, last, strict=False))
    return {
        "created": int(value.get("TotalCallCreated", -1)),
        "successful": int(value.get("SuccessfulCall(C)", -1)),
        "failed": int(value.get("FailedCall(C)", -1)),
    }


# --- the pieces ----------------------------------------------------------------------------
@contextlib.contextmanager
def controller_lock():  # type: ignore[no-untyped-def]
    path = SandboxSettings.from_env().cache_dir / "controller.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        print(f"waiting for the controller lock {path} ...", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def bench_site(directory: Path, database_url: str) -> Path:
    """The example site with 20 telephonists (2001-2020) in the centre queue, no language
    menu on the switchboard, no wrap-up, room for 1000 callers and no web server."""
    text = EXAMPLE.read_text()
    text = re.sub(r'^url = "sqlite:.*"$', f'url = "{database_url}"', text, count=1, flags=re.M)
    start = text.index('name = "centre"\nlabel')
    end = text.index("\n\n", start)
    block = text[start:end]
    settings = {"max_length": "1000", "max_wait_s": "1800", "wrapup_s": "0",
                "ring_timeout_s": "20", "when_nobody_logged_in": '"admit"'}  # fmt: skip
    for key, value in settings.items():
        if re.search(rf"^{key} = ", block, flags=re.M):
            block = re.sub(rf"^{key} = .*$", f"{key} = {value}", block, flags=re.M)
        else:
            block += f"\n{key} = {value}"
    text = text[:start] + block + text[end:]
    text = text.replace('label = "Växeln"\nqueue = "centre"',
                        'label = "Växeln"\nqueue = "centre"\nlanguage_menu = false')  # fmt: skip
    first = text.index("[[telephonists]]")
    last = text.index("# --- published numbers")
    people = "".join(
        f'[[telephonists]]\nid = "t{ext}"\nname = "Telefonist {ext}"\n'
        f'endpoint = "PJSIP/{ext}"\nqueues = {{ centre = 0 }}\n\n'
        for ext in PHONES
    )
    text = text[:first] + people + text[last:]
    text += "\n[web]\nenabled = false\n"
    path = directory / "site.toml"
    path.write_text(text)
    return path


@dataclass
class Run:
    system: str
    scenario: str
    calls: int
    wall_s: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds over the run
    load_before: str = ""
    load_after: str = ""
    sipp: dict[str, int] = field(default_factory=dict)
    not_answered: int | None = None
    heard: list[float] = field(default_factory=list)
    queued: list[float] = field(default_factory=list)
    ari: list[float] = field(default_factory=list)
    answered_by: dict[str, int] = field(default_factory=dict)

    def failed(self) -> int:
        """Callers that failed: sipp's failed calls and the callers the store (or app_queue)
        says were never answered are mostly the same callers, so the larger of the two."""
        return max(max(0, self.sipp.get("failed", 0)), self.not_answered or 0)

    def report(self) -> str:
        def ms(values: list[float]) -> str:
            if not values:
                return "n/a"
            return f"p50 {pct(values, 50):.0f} ms, p99 {pct(values, 99):.0f} ms (n={len(values)})"

        lines = [
            f"== {self.system} / {self.scenario}: {self.calls} calls in {self.wall_s:.1f} s "
            f"(load average before {self.load_before}, after {self.load_after})",
            "  CPU, % of one core: " + ", ".join(f"{k} {v:.1f} %" for k, v in self.cpu.items()),
            f"  sipp callers: {self.sipp}; never answered (store): {self.not_answered}; "
            f"failed calls: {self.failed()}",
            f"  StasisStart -> first sound: {ms(self.heard)}",
        ]
        if self.queued:
            lines.append(f"  StasisStart -> in the holding bridge: {ms(self.queued)}")
        if self.ari:
            lines.append(
                f"  ARI request latency: p50 {1000 * pct(self.ari, 50):.1f} ms, "
                f"p99 {1000 * pct(self.ari, 99):.1f} ms, max {1000 * max(self.ari):.1f} ms "
                f"(n={len(self.ari)})"
            )
        if self.answered_by:
            counts = sorted(self.answered_by.values())
            lines.append(
                f"  answered per telephonist: min {counts[0]}, median "
                f"{statistics.median(counts):.0f}, max {counts[-1]} ({len(counts)} telephonists)"
            )
        return "\n".join(lines)


def callers_csv(directory: Path, count: int) -> Path:
    path = directory / "callers-numbers.csv"
    path.write_text("SEQUENTIAL\n" + "".join(f"07017{n:05d};\n" for n in range(count)))
    return path


def start_callers(pbx, dialled: str, count: int, rate: float, recv_timeout_s: int, workdir: Path):  # type: ignore[no-untyped-def]
    host, port = pbx.sip.split(":")
    args = [
        "-m", str(count), "-r", str(rate), "-rp", "1000", "-l", str(count),
        "-p", str(free_port()), "-mp", str(free_port()), "-s", dialled,
        "-inf", str(callers_csv(workdir, count)),
        "-au", "trunk", "-ap", pbx.trunk["password"],
        "-recv_timeout", f"{recv_timeout_s}s",
        "-trace_stat", "-stf", str(workdir / "callers-stats.csv"), "-fd", "1",
        f"{host}:{port}",
    ]  # fmt: skip
    return run_sipp("callers", waiting_citizen_scenario([]), args, workdir=workdir)


def start_phones(pbx, talk_ms: int, calls: int) -> list:  # type: ignore[no-untyped-def]
    phones = []
    for ext in PHONES:
        port = pbx.phones[ext]["listens_on"]
        args = ["-m", str(calls), "-p", str(port), "-mp", str(free_port())]
        phones.append(run_sipp(f"phone-{ext}", answering_scenario(0, talk_ms), args))
    return phones


def wait_for(predicate, timeout: float, what: str, poll: float = 0.5, required: bool = True):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    if required:
        raise SystemExit(f"timed out waiting for {what}")
    print(f"  WARNING: timed out waiting for {what}; going on", flush=True)
    return None


def fresh_database(postgres: str | None, workdir: Path) -> str:
    """SQLite in the run's directory, or a new database on the ``--postgres`` server."""
    if postgres is None:
        return f"sqlite:///{workdir / 'vaxel.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"vaxel_bench_{workdir.name.rsplit('-', 1)[-1].lower()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres).set(database=name).render_as_string(hide_password=False)


class VaxelController:
    def __init__(self, workdir: Path, postgres: str | None = None) -> None:
        self.workdir = workdir
        self.url = fresh_database(postgres, workdir)
        self.site = bench_site(workdir, self.url)
        self.latency_file = workdir / "ari-latencies.txt"
        self.process: subprocess.Popen[bytes] | None = None
        from vaxel import db
        from vaxel.queue.store import QueueStore

        self.sessions = db.make_sessionmaker(db.make_engine(self.url))
        self.store = QueueStore(self.sessions)

    def start(self) -> None:
        ready = self.workdir / "ready"
        cmd = [sys.executable, "-m", "vaxel.cli", "run", "--config", str(self.site),
               "--ready-file", str(ready), "--as-if", AS_IF, "--log-level", "info"]  # fmt: skip
        env = {**os.environ, "VAXEL_ARI_LATENCY_FILE": str(self.latency_file)}
        log = open(self.workdir / "controller.log", "ab")
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                        env=env)  # fmt: skip
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"vaxel run did not start; see {self.workdir / 'controller.log'}")
            time.sleep(0.1)

    def stop(self) -> list[float]:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.latency_file.exists():
            return [float(v) for v in self.latency_file.read_text().split()]
        return []

    def open_entries(self) -> int:
        from sqlalchemy import func, select

        from vaxel.queue.store import EntryRow

        with self.sessions() as session:
            query = select(func.count()).select_from(EntryRow).where(EntryRow.left_at.is_(None))
            return int(session.scalar(query) or 0)

    def outcomes(self) -> tuple[int, dict[str, int], dict[str, int]]:
        from sqlalchemy import select

        from vaxel.queue.store import EntryRow

        with self.sessions() as session:
            rows = session.scalars(select(EntryRow)).all()
            reasons: dict[str, int] = {}
            by: dict[str, int] = {}
            for row in rows:
                reasons[row.left_reason or "still open"] = reasons.get(row.left_reason or "still open", 0) + 1  # fmt: skip
                if row.answered_by:
                    by[row.answered_by] = by.get(row.answered_by, 0) + 1
            return len(rows), reasons, by

    def log_in_all(self, pbx) -> None:  # type: ignore[no-untyped-def]
        dials = [dial_from_phone(asdict_pbx(pbx), ext, "*21") for ext in PHONES]
        for dial in dials:
            dial.wait(timeout=60)

        def all_in() -> bool:
            rows = self.store.telephonist_rows()
            return all(
                (r := rows.get(f"t{e}")) is not None and r.status != "logged_out" for e in PHONES
            )

        wait_for(all_in, 60, "20 telephonists logged in")


def asdict_pbx(pbx) -> dict:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    return asdict(pbx)


def asterisk_cli(command: str) -> str:
    root = str(SandboxSettings.from_env().root)
    done = subprocess.run(["chroot", root, "/usr/sbin/asterisk", "-rx", command],
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.stdout


# --- the runs ------------------------------------------------------------------------------
def run_vaxel(pbx, scenario: str, args: argparse.Namespace) -> Run:  # type: ignore[no-untyped-def]
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-queue-vaxel-{scenario}-"))
    controller = VaxelController(workdir, args.postgres)
    controller.start()
    assert controller.process is not None
    calls = args.callers if scenario == "burst" else int(args.rate * args.duration)
    talk = args.burst_talk_ms if scenario == "burst" else args.rate_talk_ms
    run = Run("vaxel", scenario, calls)
    phones = start_phones(pbx, talk, calls)
    watcher = Watcher(pbx)
    watcher.start()
    callers = None
    try:
        if scenario == "rate":
            controller.log_in_all(pbx)
        run.load_before = loadavg()
        cpu0 = {"controller": cpu_seconds(controller.process.pid), "asterisk": cpu_seconds(pbx.pid)}
        t0 = time.monotonic()
        if scenario == "burst":
            callers = start_callers(pbx, SWITCHBOARD, calls, args.burst_rate, 600, workdir)
            wait_for(
                lambda: controller.open_entries() >= calls,
                60,
                f"{calls} callers waiting",
                required=False,
            )
            print(
                f"  {calls} callers waiting at once after {time.monotonic() - t0:.1f} s", flush=True
            )
            controller.log_in_all(pbx)
        else:
            callers = start_callers(pbx, SWITCHBOARD, calls, args.rate, 300, workdir)
        callers.wait(timeout=args.duration + 900)
        wait_for(
            lambda: controller.open_entries() == 0,
            60,
            "the queue to empty",
            poll=0.2,
            required=False,
        )
        run.wall_s = time.monotonic() - t0
        cpu1 = {"controller": cpu_seconds(controller.process.pid), "asterisk": cpu_seconds(pbx.pid)}
        run.load_after = loadavg()
        run.cpu_s = {k: cpu1[k] - cpu0[k] for k in cpu0}
        run.cpu_s["total"] = run.cpu_s["controller"] + run.cpu_s["asterisk"]
        run.cpu = {k: 100 * v / run.wall_s for k, v in run.cpu_s.items()}
        run.sipp = sipp_counts(workdir)
        total, reasons, run.answered_by = controller.outcomes()
        run.not_answered = max(0, calls - reasons.get("answered", 0))
        print(f"  queue entries: {total}, outcomes {reasons}", flush=True)
    finally:
        events = watcher.stop()
        for sipp in [*phones, *([callers] if callers else [])]:
            sipp.stop()
        run.ari = controller.stop()
    run.heard, run.queued = first_sound_ms(events)
    print(f"  work files in {workdir}", flush=True)
    return run


def run_app_queue(pbx, scenario: str, args: argparse.Namespace) -> Run:  # type: ignore[no-untyped-def]
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-queue-appq-{scenario}-"))
    calls = args.callers if scenario == "burst" else int(args.rate * args.duration)
    talk = args.burst_talk_ms if scenario == "burst" else args.rate_talk_ms
    run = Run("app_queue", scenario, calls)
    if "strategy" not in asterisk_cli("queue show bench"):
        raise SystemExit(
            "no app_queue 'bench' queue: restart the sandbox with the new asterisk_conf"
        )
    asterisk_cli("queue reset stats bench")
    pause = "pause" if scenario == "burst" else "unpause"
    for ext in PHONES:  # burst: nobody answers until all callers wait ("logged out")
        asterisk_cli(f"queue {pause} member PJSIP/{ext} queue bench")
    phones = start_phones(pbx, talk, calls)
    watcher = Watcher(pbx)
    watcher.start()
    callers = None
    try:
        run.load_before = loadavg()
        cpu0 = cpu_seconds(pbx.pid)
        t0 = time.monotonic()
        if scenario == "burst":
            callers = start_callers(pbx, APP_QUEUE_NUMBER, calls, args.burst_rate, 600, workdir)

            def waiting() -> bool:
                found = re.search(r"has (\d+) calls", asterisk_cli("queue show bench"))
                return bool(found) and int(found.group(1)) >= calls

            wait_for(waiting, 60, f"{calls} callers waiting", required=False)
            print(
                f"  {calls} callers waiting at once after {time.monotonic() - t0:.1f} s", flush=True
            )
            for ext in PHONES:
                asterisk_cli(f"queue unpause member PJSIP/{ext} queue bench")
        else:
            callers = start_callers(pbx, APP_QUEUE_NUMBER, calls, args.rate, 300, workdir)
        callers.wait(timeout=args.duration + 900)
        run.wall_s = time.monotonic() - t0
        used = cpu_seconds(pbx.pid) - cpu0
        run.cpu_s = {"asterisk": used, "total": used}
        run.cpu = {k: 100 * v / run.wall_s for k, v in run.cpu_s.items()}
        run.load_after = loadavg()
        run.sipp = sipp_counts(workdir)
        stats = asterisk_cli("queue show bench")
        found = re.search(r"C:\s*(\d+), A:\s*(\d+)", stats)
        if found:
            run.not_answered = max(0, calls - int(found.group(1)))
        print("  " + stats.strip().splitlines()[0], flush=True)
    finally:
        events = watcher.stop()
        for sipp in [*phones, *([callers] if callers else [])]:
            sipp.stop()
    run.heard = app_queue_first_sound_ms(events)
    print(f"  work files in {workdir}", flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["burst", "rate", "both"], default="both")
    parser.add_argument("--system", choices=["vaxel", "app_queue", "both"], default="both")
    parser.add_argument("--callers", type=int, default=200, help="burst: callers waiting at once")
    parser.add_argument("--burst-rate", type=float, default=50, help="burst: arrivals per second")
    parser.add_argument("--burst-talk-ms", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=10, help="rate: new calls per second")
    parser.add_argument("--duration", type=float, default=300, help="rate: seconds of arrivals")
    parser.add_argument("--rate-talk-ms", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL", help="store on PostgreSQL: a server URL "
                        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) on which "
                        "each run creates its own database; default SQLite")  # fmt: skip
    args = parser.parse_args()
    pbx = Sandbox(SandboxSettings.from_env()).running_info()
    if pbx is None:
        raise SystemExit("the sandbox Asterisk is not running: vaxel pbx up")
    scenarios = ["burst", "rate"] if args.scenario == "both" else [args.scenario]
    systems = ["vaxel", "app_queue"] if args.system == "both" else [args.system]
    print(f"{pbx.version}; {os.cpu_count()} cores; load average {loadavg()}", flush=True)
    results: list[Run] = []
    with controller_lock():
        for scenario in scenarios:
            for system in systems:
                print(f"-- {system} / {scenario}", flush=True)
                runner = run_vaxel if system == "vaxel" else run_app_queue
                results.append(runner(pbx, scenario, args))
                print(results[-1].report(), flush=True)
                time.sleep(3)
    print("\nSummary")
    for run in results:
        print(run.report())
    for scenario in scenarios:
        mine = {r.system: r for r in results if r.scenario == scenario}
        if {"vaxel", "app_queue"} <= set(mine):
            vaxel, baseline = mine["vaxel"], mine["app_queue"]
            by_seconds = vaxel.cpu_s["total"] / max(baseline.cpu_s["total"], 1e-9)
            by_share = vaxel.cpu["total"] / max(baseline.cpu["total"], 1e-9)
            print(
                f"{scenario}: total CPU vaxel/app_queue = {by_seconds:.2f} (CPU seconds for "
                f"the same calls), {by_share:.2f} (% of a core over each run's wall time)"
            )


if __name__ == "__main__":
    main()
