"""Console and wallboard fan-out under load (issue 15): 50 consoles and 10 wallboards.

One run with the streams and one without, each on a fresh controller on the sandbox, with the
same call load: sipp citizens call the switchboard at --rate per second for --duration
seconds, and the 20 sipp telephonists on the sandbox's phones (2001-2020, logged in with *21)
answer, talk --talk-ms and hang up. The site has 50 telephonists serving the centre queue:
the 20 with phones and 30 more who stay logged out but watch the same queue.

With streams: 50 console streams (``/console/events``, one per telephonist, each with its
own session as a bearer token) and 10 wallboard screens (5 ``/wallboard/stream`` for a
supervisor, 5 kiosk screens ``/kiosk/<token>/stream``), read by one asyncio process
(aiohttp) on loopback.

Figures:
- console latency, ARI event -> SSE client: each published console view carries
  ``event_at``, Asterisk's timestamp of the first ARI event since the console service's
  previous pass (an upper bound on the latency of the event that changed the view); the
  client subtracts it from the time the view's line arrived (same machine clock). p50, p95;
- wallboard: boards received per screen per second, and the age of each board on arrival
  (its ``at`` against the controller's as-if clock); the wallboard is periodic
  (``refresh_s``), so an event reaches it within refresh_s plus that age;
- controller CPU (utime+stime from /proc, % of one core) over the call load in each run, and
  the difference; controller memory (VmRSS at the end, VmHWM).

Run: .venv/bin/python bench/bench_console.py [--rate 2] [--duration 90] [--repeat 1]
     [--runs both|streams|quiet] [--consoles 50] [--wallboards 10]
Takes the controller lock (~/.cache/vaxel/controller.lock) like bench_queue.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
import bench_queue as bq

CONSOLES = 50  # telephonists in the site; --consoles and --wallboards say how many watch
EXTRA = [f"20{n:02d}" for n in range(21, 21 + CONSOLES - len(bq.PHONES))]
EVENT_AT = re.compile(r'"event_at": (?:"([^"]+)"|null)')
BOARD_AT = re.compile(r'"at":"([^"]+)"')
VIEW_NOW = re.compile(r'"now": "([^"]+)"')


def tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console_site(site: Path, port: int) -> None:
    """bench_queue's site, plus 30 telephonists who stay logged out, and the web server."""
    text = site.read_text()
    extra = "".join(
        f'[[telephonists]]\nid = "t{ext}"\nname = "Telefonist {ext}"\n'
        f'endpoint = "PJSIP/bench{ext}"\nqueues = {{ centre = 0 }}\n\n'
        for ext in EXTRA
    )
    mark = text.index("# --- published numbers")
    text = text[:mark] + extra + text[mark:]
    web = f'[web]\nbind = "127.0.0.1"\nport = {port}\npublic_url = "http://127.0.0.1:{port}"\n'
    site.write_text(text.replace("[web]\nenabled = false\n", web))


def phone_ports_free(pbx) -> bool:  # type: ignore[no-untyped-def]
    """Another suite's idle-port guard may still hold the phones' ports between runs."""
    for ext in bq.PHONES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind(("127.0.0.1", pbx.phones[ext]["listens_on"]))
            except OSError:
                return False
    return True


def as_if(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def memory_kb(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def viewers(controller: bq.VaxelController) -> tuple[list[tuple[str, str]], list[str], str]:
    """A session per telephonist, a supervisor's session, and kiosk tokens, straight into
    the store (the login form's guard would rightly slow 51 logins from one address)."""
    from vaxel.clock import OffsetClock
    from vaxel.console.wallboard_store import KioskStore
    from vaxel.web.auth import AuthService, Role

    clock = OffsetClock(datetime.fromisoformat(bq.AS_IF))
    auth = AuthService(sessions=controller.sessions, clock=clock)
    consoles = []
    for ext in [*bq.PHONES, *EXTRA]:
        user = auth.create_user(username=f"t{ext}", display_name=f"Telefonist {ext}",
                                password=None, roles={Role.TELEPHONIST})  # fmt: skip
        consoles.append((f"t{ext}", auth.open_session(user)[0]))
    boss = auth.create_user(username="chef", display_name="Chef", password=None,
                            roles={Role.SUPERVISOR})  # fmt: skip
    kiosks = KioskStore(controller.sessions)
    tokens = [kiosks.add(f"skärm {n}", "chef", clock.now())[1] for n in range(10)]
    return consoles, tokens, auth.open_session(boss)[0]


@dataclass
class Streams:
    """What the SSE clients saw."""

    latencies_ms: list[float] = field(default_factory=list)
    without_cause: int = 0
    snapshots: int = 0
    boards: int = 0
    board_age_ms: list[float] = field(default_factory=list)  # arrival - "at", as-if clock
    clock_offsets: list[float] = field(default_factory=list)  # as-if clock - real clock, s
    errors: list[str] = field(default_factory=list)
    connected: int = 0


async def read_stream(http, url: str, token: str | None, seen: Streams, stop: asyncio.Event,
                      board: bool) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with http.get(url, headers=headers) as response:
            if response.status != 200:
                seen.errors.append(f"{url.split('?')[0]}: HTTP {response.status}")
                return
            first = True
            while not stop.is_set():
                line = await response.content.readline()
                if not line:
                    seen.errors.append(f"{url.split('?')[0]}: closed")
                    return
                if not line.startswith(b"data: "):
                    continue
                arrived = time.time()
                text = line.decode()
                if first:
                    seen.connected += 1
                    first = False
                if board:
                    seen.boards += 1
                    if found := BOARD_AT.search(text):  # on the as-if clock: offset later
                        seen.board_age_ms.append(arrived - as_if(found.group(1)))
                    continue
                if found := VIEW_NOW.search(text):
                    seen.clock_offsets.append(as_if(found.group(1)) - arrived)
                cause = EVENT_AT.search(text)
                if cause is None:
                    seen.snapshots += 1  # the whole view on connect
                elif cause.group(1) is None:
                    seen.without_cause += 1
                else:
                    seen.latencies_ms.append(1000 * (arrived - bq.ari_time(cause.group(1))))
    except (
        aiohttp.ClientError,
        OSError,
        ValueError,
    ) as exc:  # a broken stream is a result, not a crash of the bench
        if not stop.is_set():
            seen.errors.append(f"{url.split('?')[0]}: {type(exc).__name__}: {exc}")


async def watch(base: str, consoles, tokens, boss: str, boards: int, stop: asyncio.Event,
                seen: Streams) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    limits = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=limits,
                                     read_bufsize=2**22) as http:  # fmt: skip
        tasks = [read_stream(http, f"{base}/console/events", token, seen, stop, False)
                 for _, token in consoles]  # fmt: skip
        tasks += [read_stream(http, f"{base}/wallboard/stream", boss, seen, stop, True)
                  for _ in range(boards)]  # fmt: skip
        tasks += [read_stream(http, f"{base}/kiosk/{t}/stream", None, seen, stop, True)
                  for t in tokens]  # fmt: skip
        running = [asyncio.create_task(t) for t in tasks]
        await stop.wait()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


class StreamThread:
    """The SSE clients in their own event loop, so the call driving stays as in bench_queue."""

    def __init__(self, base: str, consoles, tokens, boss: str, boards: int) -> None:  # type: ignore[no-untyped-def]
        import threading

        self.seen = Streams()
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, daemon=True,
                                       args=(watch(base, consoles, tokens, boss, boards, self.stop,
                                                   self.seen),))  # fmt: skip

    def start(self, expected: int) -> None:
        self.thread.start()
        bq.wait_for(lambda: self.seen.connected + len(self.seen.errors) >= expected, 60,
                    f"{expected} streams connected")  # fmt: skip
        if self.seen.errors:
            raise SystemExit(f"streams failed: {self.seen.errors[:5]}")

    def close(self) -> Streams:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(15)
        return self.seen


@dataclass
class Run:
    streams: bool
    calls: int
    wall_s: float = 0.0
    cpu_pct: float = 0.0
    cpu_s: float = 0.0
    memory: dict[str, int] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    answered: int = 0
    seen: Streams | None = None
    screens: tuple[int, int] = (0, 0)  # consoles, wallboards

    def report(self) -> str:
        consoles, boards = self.screens
        what = f"{consoles} consoles + {boards} wallboards" if self.streams else "no streams"
        lines = [
            f"== {what}: "
            f"{self.calls} calls, {self.answered} answered, {self.wall_s:.1f} s "
            f"(load average before {self.load_before}, after {self.load_after})",
            f"  controller CPU {self.cpu_pct:.1f} % of one core ({self.cpu_s:.1f} s); "
            f"memory VmRSS {self.memory.get('VmRSS', 0) / 1024:.0f} MB, "
            f"VmHWM {self.memory.get('VmHWM', 0) / 1024:.0f} MB",
        ]
        seen = self.seen
        if seen is not None:
            lat = seen.latencies_ms
            lines.append(
                f"  console ARI event -> SSE client: p50 {bq.pct(lat, 50):.0f} ms, "
                f"p95 {bq.pct(lat, 95):.0f} ms, p99 {bq.pct(lat, 99):.0f} ms, "
                f"max {max(lat, default=float('nan')):.0f} ms (n={len(lat)} views; "
                f"{seen.without_cause} with no ARI event since the previous pass)"
            )
            # The as-if clock's offset, from the consoles' views (least delay); none: n/a.
            offset = max(seen.clock_offsets, default=float("nan"))
            ages = [1000 * (age + offset) for age in seen.board_age_ms]
            lines.append(
                f"  wallboards: {seen.boards} boards, "
                f"{seen.boards / max(self.screens[1], 1) / max(self.wall_s, 1):.2f} per screen "
                f"per s; age on arrival p50 {bq.pct(ages, 50):.0f} ms, "
                f"p95 {bq.pct(ages, 95):.0f} ms; stream errors: {seen.errors or 'none'}"
            )
        return "\n".join(lines)


def one_run(pbx, with_streams: bool, args: argparse.Namespace) -> Run:  # type: ignore[no-untyped-def]
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-console-{int(with_streams)}-"))
    port = tcp_port()
    controller = bq.VaxelController(workdir)
    console_site(controller.site, port)
    controller.start()
    assert controller.process is not None
    pid = controller.process.pid
    calls = int(args.rate * args.duration)
    screens = (args.consoles, args.wallboards) if with_streams else (0, 0)
    run = Run(with_streams, calls, screens=screens)
    callers, streams = None, None
    try:
        consoles, tokens, boss = viewers(controller)
        controller.log_in_all(pbx)
        if with_streams:
            kiosks = args.wallboards // 2  # and the other half on a supervisor's session
            streams = StreamThread(f"http://127.0.0.1:{port}", consoles[: args.consoles],
                                   tokens[:kiosks], boss, args.wallboards - kiosks)  # fmt: skip
            streams.start(args.consoles + args.wallboards)
            time.sleep(3)  # the first boards' statistics, computed once
        run.load_before = bq.loadavg()
        cpu0, t0 = bq.cpu_seconds(pid), time.monotonic()
        if streams is not None:
            streams.seen.latencies_ms.clear()
            streams.seen.boards, streams.seen.board_age_ms[:] = 0, []
        callers = bq.start_callers(pbx, bq.SWITCHBOARD, calls, args.rate, 120, workdir)
        callers.wait(timeout=args.duration + 300)
        bq.wait_for(lambda: controller.open_entries() == 0, 60, "the queue to empty", poll=0.2,
                    required=False)  # fmt: skip
        run.wall_s = time.monotonic() - t0
        run.cpu_s = bq.cpu_seconds(pid) - cpu0
        run.cpu_pct = 100 * run.cpu_s / run.wall_s
        run.memory = memory_kb(pid)
        run.load_after = bq.loadavg()
        _, reasons, _ = controller.outcomes()
        run.answered = reasons.get("answered", 0)
    finally:
        if streams is not None:
            run.seen = streams.close()
        if callers is not None:
            callers.stop()
        controller.stop()
    print(f"  work files in {workdir}", flush=True)
    return run


@contextlib.contextmanager
def sandbox_turn(pbx):  # type: ignore[no-untyped-def]
    """The controller lock with the phones' ports free. A suite waiting for the lock may
    hold the ports meanwhile; then give the lock back and try again later."""
    for _ in range(20):
        with bq.controller_lock():
            if bq.wait_for(lambda: phone_ports_free(pbx), 30, "the phones' ports to be free",
                           required=False):  # fmt: skip
                yield
                return
        print("  giving the lock back for a while", flush=True)
        time.sleep(30)
    raise SystemExit("the phones' ports stayed taken")


def runs(pbx, args: argparse.Namespace) -> list[Run]:  # type: ignore[no-untyped-def]
    results: list[Run] = []
    with_streams_order = {"both": (False, True), "streams": (True,), "quiet": (False,)}
    for _ in range(args.repeat):
        for with_streams in with_streams_order[args.runs]:
            print(f"-- {'with' if with_streams else 'without'} streams", flush=True)
            results.append(one_run(pbx, with_streams, args))
            print(results[-1].report(), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2, help="new calls per second")
    parser.add_argument("--duration", type=float, default=90, help="seconds of arrivals")
    parser.add_argument("--talk-ms", type=int, default=3000)
    parser.add_argument(
        "--consoles",
        type=int,
        default=50,
        choices=range(CONSOLES + 1),
        metavar="0-50",
        help="console streams in the run with streams",
    )
    parser.add_argument(
        "--wallboards",
        type=int,
        default=10,
        choices=range(21),
        metavar="0-20",
        help="wallboard screens: half kiosks, half a supervisor's session",
    )
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs")
    parser.add_argument(
        "--runs",
        choices=["both", "streams", "quiet"],
        default="both",
        help="streams: only the run with the streams (e.g. to profile)",
    )
    args = parser.parse_args()
    pbx = bq.Sandbox(bq.SandboxSettings.from_env()).running_info()
    if pbx is None:
        raise SystemExit("the sandbox Asterisk is not running: vaxel pbx up")
    print(f"{pbx.version}; {bq.os.cpu_count()} cores; load average {bq.loadavg()}", flush=True)
    with sandbox_turn(pbx):
        # The phones answer through every run: between runs another suite's idle-port
        # guard would otherwise take their ports.
        phones = bq.start_phones(pbx, args.talk_ms, 10_000)
        try:
            results = runs(pbx, args)
        finally:
            for phone in phones:
                phone.stop()
    print("\nSummary")
    for run in results:
        print(run.report())
    quiet = [r for r in results if not r.streams]
    busy = [r for r in results if r.streams]
    for before, after in zip(quiet, busy, strict=False):
        extra = after.cpu_pct - before.cpu_pct
        lat = after.seen.latencies_ms if after.seen else []
        print(f"extra controller CPU with the streams: {extra:+.1f} % of one core "
              f"(target < 5 %: {'met' if extra < 5 else 'MISSED'}); console p95 "
              f"{bq.pct(lat, 95):.0f} ms (target < 300 ms: "
              f"{'met' if bq.pct(lat, 95) < 300 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
