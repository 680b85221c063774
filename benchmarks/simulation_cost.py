"""What a simulation interval costs in pure Python, and its Monte Carlo error (issue 24).

    python benchmarks/simulation_cost.py            # 7 rounds
    python benchmarks/simulation_cost.py --rounds 15

    python benchmarks/simulation_cost.py --seeds 200  # and the Monte Carlo error over 200 seeds

Prints, as medians over the rounds (in-process CPU time, after a warm-up):
- one Jeffreys draw with random.betavariate (independent draws, the former sampler), and with
  the stratified sampler (``draw_arm``: stratified uniforms through the tabulated Beta quantile,
  then shuffled);
- simulate_chain's cost per draw for chains of one, two and three measured findings;
- with --seeds R: the Monte Carlo error of each interval end at the default draws for the
  README's posttest examples, measured as the standard deviation of that end over R seeds
  (seeds 0 to R-1), for the stratified sampler and for independent betavariate draws; and, for
  comparison, the mean of the binomial figure each run reports (``mc_error``, a formula for
  independent draws).
The whole-command ratio to the minimal Typer app is ``benchmarks/simulation_speed.py``'s.
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
    ap.add_argument("--seeds", type=int, default=0, help="measure the Monte Carlo error over this many seeds")
    args = ap.parse_args()
    rng = random.Random(1)
    bv = rng.betavariate

    def beta(n: int) -> None:
        for _ in range(n):
            bv(41.5, 5.5)

    def stratified(n: int) -> None:
        sim.draw_arm((41, 46), n, rng)

    cases = {"betavariate, one draw": (beta, 60_000), "stratified quantile (draw_arm), one draw": (stratified, 20_000)}
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
    if args.seeds:
        monte_carlo_error(args.draws, args.seeds)


EXAMPLES = {
    "posttest -p 0.3 modified-bent-knee+": ([MBK], 0.3),
    "posttest -p 0.5 single-leg-stance-pain-": ([sim.Finding("single-leg-stance-pain-", False, (17, 17), None, 1.0, 0.973)], 0.5),
    "posttest -p 0.3 modified-bent-knee+ puranen-orava+": ([MBK, PO], 0.3),
    "posttest -p 0.3 modified-bent-knee+ puranen-orava+ modified-bent-knee+": ([MBK, PO, MBK], 0.3),
    "posttest -p 20%-40% modified-bent-knee+": ([MBK], (0.2, 0.4)),
}


def _independent_ends(chain, p, draws: int, seed: int) -> tuple[float, float]:
    """The interval ends from independent betavariate draws (the former sampler), for comparison."""
    rng = random.Random(seed)
    lrs = [1.0] * draws
    for f in chain:
        def arm(c):
            a, b = sim.jeffreys(c)
            return [rng.betavariate(a, b) for _ in range(draws)]
        s = arm(f.sensitivity) if f.sensitivity else [f.sensitivity_point] * draws
        c = arm(f.specificity) if f.specificity else [f.specificity_point] * draws
        lrs = [x * (se / (1 - sp) if f.positive else (1 - se) / sp) for x, se, sp in zip(lrs, s, c)]
    p0 = [lo + (hi - lo) * rng.random() for lo, hi in [p] * draws] if isinstance(p, tuple) else [p] * draws
    probs = sorted(q / (1 - q) * x / (1 + q / (1 - q) * x) for q, x in zip(p0, lrs))
    return sim.percentile(probs, sim.LOW_Q), sim.percentile(probs, sim.HIGH_Q)


def monte_carlo_error(draws: int, seeds: int) -> None:
    print(f"Monte Carlo error of each end at {draws:,} draws: standard deviation over {seeds} seeds, "
          "in percentage points (mean of the ends; binomial figure reported by a run, mean)")
    for name, (chain, p) in EXAMPLES.items():
        lows, highs, mlo, mhi = [], [], [], []
        for seed in range(seeds):
            got = sim.simulate_chain(chain, p, draws=draws, seed=seed)["probability"]
            lows.append(got["low"])
            highs.append(got["high"])
            mlo.append(got["mc_error_low"])
            mhi.append(got["mc_error_high"])
        ind = [_independent_ends(chain, p, draws, seed) for seed in range(seeds)]
        sd = statistics.stdev
        print(f"  {name}")
        print(f"    stratified   low {statistics.fmean(lows):.4f} sd {sd(lows) * 100:.3f}   high {statistics.fmean(highs):.4f} "
              f"sd {sd(highs) * 100:.3f}   (binomial figure {statistics.fmean(mlo) * 100:.2f} / {statistics.fmean(mhi) * 100:.2f})")
        il, ih = [x[0] for x in ind], [x[1] for x in ind]
        print(f"    independent  low {statistics.fmean(il):.4f} sd {sd(il) * 100:.3f}   high {statistics.fmean(ih):.4f} sd {sd(ih) * 100:.3f}")


if __name__ == "__main__":
    main()
