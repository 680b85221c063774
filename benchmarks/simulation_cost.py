"""What a simulation interval costs in pure Python, and its Monte Carlo error (issue 24).

    python benchmarks/simulation_cost.py            # 7 rounds
    python benchmarks/simulation_cost.py --rounds 15

Prints, as medians over the rounds (in-process CPU time, after a warm-up):
- one Jeffreys draw with random.betavariate and with a gamma ratio written out;
- simulate_chain's cost per draw for chains of one, two and three measured findings;
- the Monte Carlo error (binomial method) of each interval end at the default draws, for the
  README's posttest examples.
The default number of draws is chosen from these figures and the start-up budget that
``benchmarks/run.py`` measures (posttest with three measured findings <= 1.5x the minimal Typer
app); see ``dxcli/calc/simulation.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dxcli.calc import simulation as sim  # noqa: E402

MBK = sim.Finding("modified-bent-knee+", True, (41, 46), (42, 46))
PO = sim.Finding("puranen-orava+", True, (35, 46), None, None, 0.82)
RHER = sim.Finding("resisted-hip-external-rotation+", True, (15, 17), None, None, 0.973)
MBK_NEG = sim.Finding("modified-bent-knee-", False, (41, 46), (42, 46))
CHAINS = {
    "1 finding, both arms (2 Beta draws a draw)": [MBK],
    "2 findings, 3 arms": [MBK, PO],
    "3 findings, 5 arms": [MBK, PO, MBK_NEG],
    "3 findings, 6 arms (all both arms)": [MBK, MBK_NEG, MBK],
}


def _time(fn, n: int) -> float:
    """CPU seconds of this process (less swayed than wall time by other work on shared cores)."""
    t = time.process_time()
    fn(n)
    return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--draws", type=int, default=sim.DEFAULT_DRAWS)
    args = ap.parse_args()
    rng = random.Random(1)
    bv, gv = rng.betavariate, rng.gammavariate

    def beta(n: int) -> None:
        for _ in range(n):
            bv(41.5, 5.5)

    def gamma_ratio(n: int) -> None:
        for _ in range(n):
            g = gv(41.5, 1.0)
            g / (g + gv(5.5, 1.0))

    cases = {"betavariate, one draw": (beta, 60_000), "gamma ratio, one draw": (gamma_ratio, 60_000)}
    for name, chain in CHAINS.items():
        cases[f"simulate_chain per draw, {name}"] = (
            lambda n, chain=chain: sim.simulate_chain(chain, 0.3, draws=n), args.draws)
    res: dict[str, list[float]] = {k: [] for k in cases}
    for fn, n in cases.values():  # warm-up
        fn(min(n, 2000))
    order = list(cases)
    shuffle = random.Random(20240601)
    for _ in range(args.rounds):
        shuffle.shuffle(order)
        for k in order:
            fn, n = cases[k]
            res[k].append(_time(fn, n) / n)
    print(f"python {sys.version.split()[0]}; {args.rounds} rounds; default draws {sim.DEFAULT_DRAWS:,}")
    for k, v in res.items():
        per = statistics.median(v) * 1e6
        print(f"  {k:60s} {per:6.2f} us   x {args.draws:,} draws = {per * args.draws / 1e3:6.1f} ms")
    spec = importlib.util.find_spec("numpy")
    if spec is None:
        print("  numpy: not installed (not a dependency)")
    else:
        t = time.perf_counter()
        import numpy  # noqa: F401

        print(f"  numpy import: {(time.perf_counter() - t) * 1e3:.1f} ms")
    print(f"Monte Carlo error of each end at {args.draws:,} draws (binomial method), README examples:")
    examples = {
        "posttest -p 0.3 modified-bent-knee+": ([MBK], 0.3),
        "posttest -p 0.5 single-leg-stance-pain-": ([sim.Finding("single-leg-stance-pain-", False, (17, 17), None, 1.0, 0.973)], 0.5),
        "posttest -p 0.3 modified-bent-knee+ puranen-orava+": ([MBK, PO], 0.3),
    }
    for name, (chain, p) in examples.items():
        got = sim.simulate_chain(chain, p, draws=args.draws)["probability"]
        print(f"  {name:55s} {got['low']:.3f}-{got['high']:.3f}  error "
              f"{got['mc_error_low'] * 100:.2f} / {got['mc_error_high'] * 100:.2f} percentage points")


if __name__ == "__main__":
    main()
