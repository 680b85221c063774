"""posttest with three measured findings, as whole commands, against the minimal Typer app (issue 24).

    python benchmarks/simulation_speed.py              # 15 interleaved rounds
    python benchmarks/simulation_speed.py --rounds 31

Each round runs, in a shuffled order, the minimal Typer app (``benchmarks/minimal_typer.py``),
``dxcli posttest -p 0.3 -c gluteus-medius-tendinopathy resisted-hip-external-rotation+
single-leg-stance-pain+ resisted-hip-abduction+ -f json`` (three distinct measured findings for the
one condition that has three) at the default draws, the same with ``--draws 1`` (start-up and the rest without the draws' cost), and
the same with ``--draws 10000``, and the ranked differential with two measured findings tied
on score, with and without ``--no-simulation`` (target 1.3x), with dxcli's byte-code cache (as ``benchmarks/run.py``). It prints the median wall time and the median CPU time (user +
system of the child, less swayed by other work on shared cores) of each, and each as a ratio to
the minimal Typer app's median in the same run. The target for posttest: the default draws <= 1.5x the minimal Typer app.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RANKED = ["differential", "buttock", "-F", "modified-bent-knee-positive", "-F", "resisted-hip-external-rotation-positive", "-f", "json"]
CHAIN = ["posttest", "-p", "0.3", "-c", "gluteus-medius-tendinopathy", "resisted-hip-external-rotation+",
         "single-leg-stance-pain+", "resisted-hip-abduction+", "-f", "json"]


def dxcli(*args: str) -> list[str]:
    return [PY, "-m", "dxcli", *args]


CASES = {
    "minimal Typer app": [PY, str(ROOT / "benchmarks" / "minimal_typer.py")],
    "posttest, 3 measured findings, default draws": dxcli(*CHAIN),
    "the same with --draws 1": dxcli(*CHAIN, "--draws", "1"),
    "the same with --draws 10000": dxcli(*CHAIN, "--draws", "10000"),
    "ranked differential, measured findings tied on score": dxcli(*RANKED),
    "the same with --no-simulation": dxcli(*RANKED, "--no-simulation"),
}


# Byte-code as an installed package has it (as benchmarks/run.py does): without it every module
# of dxcli would be compiled from source on every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    import compileall

    compileall.compile_dir(str(ROOT / "dxcli"), quiet=1)
    for cmd in CASES.values():  # warm-up: the store and the byte-code caches
        run(cmd)
    wall: dict[str, list[float]] = {k: [] for k in CASES}
    cpu: dict[str, list[float]] = {k: [] for k in CASES}
    order = list(CASES)
    shuffle = random.Random(24)
    for _ in range(args.rounds):
        shuffle.shuffle(order)
        for k in order:
            w, c = run(CASES[k])
            wall[k].append(w)
            cpu[k].append(c)
    print(f"python {sys.version.split()[0]}; {args.rounds} interleaved rounds; load average {os.getloadavg()[0]:.2f}")
    fw, fc = statistics.median(wall["minimal Typer app"]), statistics.median(cpu["minimal Typer app"])
    for k in CASES:
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f"  {k:54s} wall {w * 1e3:6.1f} ms ({w / fw:4.2f}x)   cpu {c * 1e3:6.1f} ms ({c / fc:4.2f}x)")
    a, b = "ranked differential, measured findings tied on score", "the same with --no-simulation"
    print(f"  ranked differential with the draws / without: wall {statistics.median(wall[a]) / statistics.median(wall[b]):.2f}x, "
          f"cpu {statistics.median(cpu[a]) / statistics.median(cpu[b]):.2f}x (target 1.3x)")


if __name__ == "__main__":
    main()
