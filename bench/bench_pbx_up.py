"""How long `vaxel pbx up` takes with a warm cache (target: under 15 s), and that down cleans up.

Run: .venv/bin/python bench/bench_pbx_up.py [--runs 5]
Stops and restarts the sandbox Asterisk; do not run it beside the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def asterisk_pids(root: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/stat").read().split()[2] == "Z":
                continue
            if os.path.realpath(f"/proc/{pid}/root") == root:
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    vaxel = str(Path(sys.executable).with_name("vaxel"))
    from vaxel.asterisk.sandbox_config import SandboxSettings

    root = os.path.realpath(SandboxSettings.from_env().root)
    subprocess.run([vaxel, "pbx", "up"], check=True, capture_output=True)
    times, leftovers = [], []
    for _ in range(args.runs):
        subprocess.run([vaxel, "pbx", "down"], check=True, capture_output=True)
        leftovers.append(len(asterisk_pids(root)))
        started = time.perf_counter()
        subprocess.run([vaxel, "pbx", "up"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    print(f"vaxel pbx up, warm cache, {args.runs} runs (until ARI and AMI answer):")
    print(
        f"  min {min(times):.2f} s  median {statistics.median(times):.2f} s  max {max(times):.2f} s"
    )
    print(f"  processes left in the root after each 'down': {leftovers}")


if __name__ == "__main__":
    main()
