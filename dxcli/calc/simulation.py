"""Simulation (credible) intervals for a chain of findings: pure functions, standard library only.

The approach of Mossman and Berger (2001), which epiR's ``epi.nomogram`` follows for one test:

- each measured arm is drawn from its Jeffreys posterior, sensitivity ~ Beta(TP + 0.5, FN + 0.5)
  and specificity ~ Beta(TN + 0.5, FP + 0.5), given the study's counts (x of n);
- each draw forms the LR of the result given: positive sens / (1 - spec), negative
  (1 - sens) / spec;
- the pre-test odds are carried through the chain by multiplying the draws' LRs (which assumes
  the findings are conditionally independent, as the point arithmetic does), and the 2.5th and
  97.5th percentiles of the draws are the 95% simulation interval.

What is not drawn stays fixed and is named: a finding whose counts are unknown stays at its
point LR, a finding with one known arm draws that arm only (the other at its stated figure),
and a typed ``lr=`` is fixed. Each is a reason the interval is too narrow. Findings from one
study are drawn independently: their correlation within the study is not reported.

A pre-test probability given as a range is drawn uniformly over it, once a draw.

The draws are a Latin hypercube: for each arm drawn (and a pre-test range), one uniform in each
of the N strata [i/N, (i+1)/N), put through that arm's Beta quantile (``beta_quantiles``: a
table of the CDF in theta = asin(sqrt(x)), inverted by interpolation; its accuracy is in
``beta_table``), then put in a random order of its own, so every arm's draws are exactly
stratified and the arms are paired at random. Each arm is still drawn from its Jeffreys
posterior, and the interval estimated is the same 95% interval; only the Monte Carlo error is
smaller. Measured over 200 seeds at 2,000 draws (``benchmarks/simulation_cost.py --seeds
200``), the standard deviation of an interval end for the README's examples is at most about a
quarter of a percentage point, half or less of independent draws' (a lower end of
``posttest -p 0.3 modified-bent-knee+`` 0.23 against 0.46 points; the upper end of a finding
drawn in one arm, 0.02 against 0.47).

Percentiles are the linear interpolation between order statistics (Hyndman and Fan type 7, the
default of R's ``quantile``, which epiR uses). The Monte Carlo error each run reports is read
from the same sorted draws by the binomial (order-statistic) method, which treats the draws as
independent: the number of draws below the true q-th quantile is Binomial(N, q), so the order
statistics at ranks Nq -/+ 1.96 sqrt(Nq(1 - q)) bracket it with about 95% confidence, and half
their distance is reported. For the stratified draws it overstates the error (in the measure
above, about twice the standard deviation for the independent draws, and more than four times
the stratified draws'), so it is a cautious figure, not an estimate.

Speed (CPython 3.11, 2 cores shared with other work, so figures vary with the load; see
``benchmarks/simulation_cost.py`` and ``benchmarks/simulation_speed.py``): a stratified draw
costs about as much as a ``random.betavariate`` call or less (0.9-1.4 us against 1.5-1.7 us in
the same runs; the table is about 0.6 ms an arm). As whole commands, ``posttest`` with three
measured findings (five arms) at the default 2,000 draws was 1.29x the minimal Typer app in
wall time and 1.38x in CPU time (21 interleaved rounds, load average 3.5), 1.21x CPU with one
draw, against a target of 1.5x. numpy is not a dependency and was not measured (it is not
installed here); a library would have to save more than its import costs on a path whose whole
budget is about 15 ms.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from typing import Any, Optional, Sequence, Union

from dxcli.errors import InvalidInput

METHOD = (
    "95% simulation (credible) interval: Jeffreys-prior Beta(x + 0.5, n - x + 0.5) draws of each "
    "measured sensitivity and specificity, carried through the chain (Mossman and Berger 2001)"
)
MC_METHOD = ("binomial (order-statistic) method for independent draws: half the distance between the order statistics at "
             "Nq -/+ 1.96 sqrt(Nq(1-q)); the draws are stratified, so this overstates the error")
DEFAULT_DRAWS = 2000
# A pre-test drawn over a range adds a spread that stratifying helps less: at 2,000 draws the
# lower end of the README's range example varied by 0.52 percentage points (SD over 200 seeds),
# at 10,000 by 0.22, inside the half-point target; a range is never on the three-finding path
# whose speed sets DEFAULT_DRAWS.
RANGE_DRAWS = 10_000
DEFAULT_SEED = 20011  # fixed, so the same command prints the same bytes
MAX_DRAWS = 100_000
LOW_Q, HIGH_Q = 0.025, 0.975
_Z95 = 1.959963984540054
# A draw is kept inside (0, 1): Beta draws are there in exact arithmetic, and a float at 0 or 1
# would make an LR of 0 or infinity from a finite sample.
_TINY = 2.2250738585072014e-308
_NEAR_ONE = 1.0 - 2.0**-53
_TABLE = 512  # steps of a Beta table (see beta_table)

Count = tuple[int, int]  # (x, n): x of n


class Finding:
    """One finding of a chain, as the simulation needs it.

    ``positive`` is the result given. ``sensitivity`` is (cases positive, cases) and
    ``specificity`` (controls negative, controls) where the counts are known; the stated figure
    of an arm without counts is ``sensitivity_point`` / ``specificity_point``. ``lr`` is the
    point LR, used as it is where neither arm is drawn (a typed ``lr=``, or counts unknown).
    ``kind`` says why a finding is fixed: "typed" for ``lr=``, anything else for a record.
    (A plain class, not a dataclass: the decorator's cost at import is on posttest's path.)
    """

    __slots__ = ("name", "positive", "sensitivity", "specificity", "sensitivity_point", "specificity_point", "lr", "kind")

    def __init__(self, name: str, positive: bool = True, sensitivity: Optional[Count] = None,
                 specificity: Optional[Count] = None, sensitivity_point: Optional[float] = None,
                 specificity_point: Optional[float] = None, lr: Optional[float] = None, kind: str = "record") -> None:
        self.name, self.positive, self.kind = name, positive, kind
        self.sensitivity, self.specificity = sensitivity, specificity
        self.sensitivity_point, self.specificity_point, self.lr = sensitivity_point, specificity_point, lr

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Finding(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    @property
    def drawn(self) -> str:
        """'both', 'sensitivity', 'specificity' or 'none': which arms are drawn."""
        if self.kind == "typed":
            return "none"
        if self.sensitivity and self.specificity:
            return "both"
        if self.sensitivity and self.specificity_point is not None:
            return "sensitivity"
        if self.specificity and self.sensitivity_point is not None:
            return "specificity"
        return "none"


def check_draws(draws: int) -> int:
    """The number of draws, or an ``InvalidInput`` (exit 2) outside 1-100,000."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise InvalidInput(
            f"--draws {draws!r} is outside 1-{MAX_DRAWS:,}",
            hint=f"give a whole number of draws from 1 to {MAX_DRAWS:,} (the default is {DEFAULT_DRAWS:,})",
        )
    return draws


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"--seed {seed!r} is not a whole number of 0 or more", hint=f"e.g. --seed {DEFAULT_SEED}")
    return seed


def jeffreys(count: Count) -> tuple[float, float]:
    """The Jeffreys posterior's Beta parameters for x of n: (x + 0.5, n - x + 0.5)."""
    x, n = count
    if n <= 0 or not 0 <= x <= n:
        raise ValueError(f"a count of {x} of {n} is not a proportion")
    return x + 0.5, n - x + 0.5


def beta_table(a: float, b: float, intervals: int = _TABLE) -> tuple[float, float, list[float], list[float]]:
    """The cumulative distribution of Beta(a, b), for a and b half-integers of at least 0.5 (the
    Jeffreys posteriors), tabulated in theta where x = sin^2(theta): ``(theta0, h, C, g)`` with
    C[j] the unnormalised mass below theta0 + j h and g[j] the unnormalised density there.

    With x = sin^2(theta) the density of theta is proportional to sin^(2a-1) cos^(2b-1), a trig
    polynomial with even powers when a and b are half-integers: smooth and bounded on
    [0, pi/2], with no singularity at an end where x = 0 or 1 has a zero count (a - 1/2 = 0).
    Arcsine-square-root is the variance-stabilising transform of a proportion, so the
    posterior's spread in theta is about 1/(2 sqrt(a + b)) whatever the proportion: the table
    covers the mode -/+ 20 of those (clipped to [0, pi/2]; the mass beyond is below e^-50), in
    ``intervals`` steps, each integrated by the trapezoid rule with its end correction
    h^2/12 (g'(left) - g'(right)), exact for cubics. Accuracy (tests/test_simulation.py): the
    quantile agrees with closed forms (Beta(1/2, 1/2), Beta(1/2, 3/2)) to 1e-9 and with an
    independent continued-fraction CDF to 1e-6 in probability.
    """
    m2, k2 = 2.0 * a - 1.0, 2.0 * b - 1.0
    if m2 < 0 or k2 < 0 or m2 != int(m2) or k2 != int(k2) or m2 % 2 or k2 % 2:
        raise ValueError(f"Beta({a}, {b}) is not a Jeffreys posterior (half-integer parameters of at least 0.5)")
    half = math.pi / 2.0
    mode = 0.0 if m2 == 0 else half if k2 == 0 else math.atan(math.sqrt(m2 / k2))
    spread = 20.0 * 0.5 / math.sqrt(a + b)
    lo, hi = max(0.0, mode - spread), min(half, mode + spread)
    h = (hi - lo) / intervals
    log, sin, cos, exp = math.log, math.sin, math.cos, math.exp

    def log_g(t: float) -> float:
        s, c = sin(t), cos(t)
        v = 0.0
        if m2:
            if s <= 0.0:
                return -math.inf
            v += m2 * log(s)
        if k2:
            if c <= 0.0:
                return -math.inf
            v += k2 * log(c)
        return v

    top = log_g(mode)
    g: list[float] = []
    d: list[float] = []
    for j in range(intervals + 1):
        t = hi if j == intervals else lo + h * j
        lv = log_g(t)
        gv = exp(lv - top) if lv > -math.inf else 0.0
        s, c = sin(t), cos(t)
        g.append(gv)
        # g' = g (m2 cot - k2 tan); 0 at 0 and pi/2 (even powers, or a zero power)
        d.append(0.0 if gv == 0.0 or s <= 0.0 or c <= 0.0 else gv * (m2 * c / s - k2 * s / c))
    cum = [0.0]
    acc, h12 = 0.0, h * h / 12.0
    for j in range(intervals):
        acc += 0.5 * h * (g[j] + g[j + 1]) + h12 * (d[j] - d[j + 1])
        cum.append(acc)
    return lo, h, cum, g


def beta_quantiles(a: float, b: float, us: Sequence[float]) -> list[float]:
    """The Beta(a, b) quantiles of the probabilities ``us`` (each in [0, 1)), by inverting the
    table of ``beta_table``: in the step where the mass reaches u, the density is taken as the
    straight line between the step's ends, whose integral is a quadratic in theta, solved in
    its stable form; then x = sin^2(theta)."""
    lo, h, cum, g = beta_table(a, b)
    top, m = cum[-1], len(cum) - 1
    sin, sqrt = math.sin, math.sqrt
    out = []
    for u in us:
        t = u * top
        j = bisect_right(cum, t) - 1
        if j >= m:
            j = m - 1
        r = (t - cum[j]) / h  # mass into the step, in units of h
        g0, dg = g[j], g[j + 1] - g[j]
        disc = g0 * g0 + 2.0 * dg * r
        s = 2.0 * r / (g0 + sqrt(disc)) if disc > 0.0 and g0 + sqrt(disc) > 0.0 else 0.0
        s = sin(lo + h * (j + (s if s < 1.0 else 1.0)))
        out.append(s * s)
    return out


def stratified(draws: int, rng: random.Random) -> list[float]:
    """``draws`` uniforms, one in each of the strata [i/N, (i+1)/N), in order (a column of a
    Latin hypercube before it is shuffled)."""
    r = rng.random
    return [(i + r()) / draws for i in range(draws)]


def shuffled(xs: list[float], rng: random.Random) -> list[float]:
    """``xs`` in a random order (the order of ``draws`` uniforms sorted), so each column of the
    Latin hypercube is paired at random with the others."""
    r = rng.random
    keys = [r() for _ in xs]
    return [xs[i] for i in sorted(range(len(xs)), key=keys.__getitem__)]


def draw_arm(count: Count, draws: int, rng: random.Random) -> list[float]:
    """``draws`` Jeffreys draws of one proportion, each kept inside (0, 1): stratified uniforms
    (one in each 1/N of probability) through the Beta quantile, in a random order."""
    a, b = jeffreys(count)
    out = beta_quantiles(a, b, stratified(draws, rng))
    if out[0] <= 0.0 or out[-1] >= 1.0:  # sorted: a float at an end of (0, 1)
        out = [_TINY if p <= 0.0 else _NEAR_ONE if p >= 1.0 else p for p in out]
    return shuffled(out, rng)


def _lr(sens: float, spec: float, positive: bool) -> float:
    if positive:
        return math.inf if spec >= 1.0 else sens / (1.0 - spec)
    return math.inf if spec <= 0.0 else (1.0 - sens) / spec


def draw_lrs(finding: Finding, draws: int, rng: random.Random) -> Optional[list[float]]:
    """The finding's LR in each draw, or None where it is fixed (nothing drawn).

    Both arms: sensitivity's draws first, then specificity's. One arm: that arm's draws, the
    other at its stated figure.
    """
    which = finding.drawn
    if which == "none":
        return None
    if which in ("both", "sensitivity"):
        sens = draw_arm(finding.sensitivity, draws, rng)  # type: ignore[arg-type]
    if which in ("both", "specificity"):
        spec = draw_arm(finding.specificity, draws, rng)  # type: ignore[arg-type]
    pos = finding.positive
    if which == "sensitivity":
        sp = float(finding.specificity_point)  # type: ignore[arg-type]
        if pos:
            if sp >= 1.0:
                return [math.inf] * draws
            k = 1.0 / (1.0 - sp)
            return [s * k for s in sens]
        if sp <= 0.0:
            return [math.inf] * draws
        return [(1.0 - s) / sp for s in sens]
    if which == "specificity":
        se = float(finding.sensitivity_point)  # type: ignore[arg-type]
        if pos:
            return [se / (1.0 - c) for c in spec]
        return [(1.0 - se) / c for c in spec]
    if pos:
        return [s / (1.0 - c) for s, c in zip(sens, spec)]
    return [(1.0 - s) / c for s, c in zip(sens, spec)]


def fixed_reason(finding: Finding) -> Optional[dict[str, Any]]:
    """How a finding is held fixed, for the output's ``fixed`` list, or None when fully drawn."""
    which = finding.drawn
    if which == "both":
        return None
    if finding.kind == "typed":
        why, what = "a likelihood ratio typed as lr=NUMBER carries no counts", "lr"
    elif which == "none":
        why, what = "counts not stated: the finding stays at its point likelihood ratio", "lr"
    else:
        other = "specificity" if which == "sensitivity" else "sensitivity"
        why = f"only the {which}'s counts are known: the {other} stays at its stated figure"
        what = other
    return {"finding": finding.name, "fixed": what, "reason": why}


def percentile(sorted_xs: Sequence[float], q: float) -> float:
    """The q-th quantile of sorted values by linear interpolation (Hyndman and Fan type 7):
    h = (N - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    n = len(sorted_xs)
    if n == 0:
        raise ValueError("no values")
    h = (n - 1) * q
    lo = int(math.floor(h))
    if lo >= n - 1:
        return sorted_xs[-1]
    a, b = sorted_xs[lo], sorted_xs[lo + 1]
    if a == b or math.isinf(b):
        return a if h == lo else b if math.isinf(b) else a
    return a + (h - lo) * (b - a)


def order_ranks(n: int, q: float, z: float = _Z95) -> tuple[int, int]:
    """The 0-based ranks of the order statistics that bracket the q-th quantile of n draws with
    about 95% confidence: floor(nq - z sqrt(nq(1-q))) and ceil(nq + z sqrt(nq(1-q))), clipped."""
    centre = n * q
    half = z * math.sqrt(n * q * (1.0 - q))
    lo = max(0, int(math.floor(centre - half)) - 1)
    hi = min(n - 1, int(math.ceil(centre + half)) - 1)
    return lo, hi


def monte_carlo_error(sorted_xs: Sequence[float], q: float) -> float:
    """The Monte Carlo error of the q-th percentile of these draws (binomial method): half the
    distance between the order statistics that bracket it with about 95% confidence."""
    lo, hi = order_ranks(len(sorted_xs), q)
    a, b = sorted_xs[lo], sorted_xs[hi]
    if math.isinf(a) or math.isinf(b):
        return math.inf
    return (b - a) / 2.0


Pretest = Union[float, tuple[float, float]]


def _pretest_draws(pretest: Pretest, draws: int, rng: random.Random) -> Union[float, list[float]]:
    if isinstance(pretest, tuple):
        lo, hi = pretest
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError("a pre-test range is two probabilities, low then high")
        return shuffled([lo + (hi - lo) * u for u in stratified(draws, rng)], rng)
    if not 0.0 <= pretest <= 1.0:
        raise ValueError("a pre-test probability is in [0, 1]")
    return float(pretest)


def _product(chain: list[Optional[list[float]]], fixed: float, draws: int) -> list[float]:
    drawn = [x for x in chain if x is not None]
    if not drawn:
        return [fixed] * draws
    out = list(drawn[0])
    for xs in drawn[1:]:
        out = [a * b for a, b in zip(out, xs)]  # 0 x inf is nan in float arithmetic, as _mul says
    if fixed != 1.0:
        out = [_mul(a, fixed) for a in out]
    return out


def _mul(a: float, b: float) -> float:
    if (a == 0.0 and math.isinf(b)) or (b == 0.0 and math.isinf(a)):
        return math.nan
    return a * b


def _prob(odds: float) -> float:
    if math.isinf(odds):
        return 1.0
    return odds / (1.0 + odds)


def _to_odds(p: float) -> float:
    return math.inf if p >= 1.0 else p / (1.0 - p)


def lr_products(findings: Sequence[Finding], draws: int, rng: random.Random) -> list[float]:
    """The chain's combined LR in each draw (findings drawn in order, fixed ones at their LR)."""
    fixed = 1.0
    chain: list[Optional[list[float]]] = []
    for f in findings:
        xs = draw_lrs(f, draws, rng)
        if xs is None:
            if f.lr is None:
                raise ValueError(f"finding {f.name!r} has neither counts nor a likelihood ratio")
            fixed = _mul(fixed, f.lr)
        chain.append(xs)
    return _product(chain, fixed, draws)


def _ends(xs: list[float], to_p: Optional[float] = None) -> dict[str, float]:
    """Percentiles and their Monte Carlo errors of the draws ``xs``; with ``to_p`` (pre-test
    odds) those of the post-test probabilities odds x LR, which sort as the LRs do (Bayes is
    increasing in the LR), so only the order statistics used are converted."""
    xs = sorted(x for x in xs if not math.isnan(x))
    if to_p is not None:
        xs = _LazyProb(xs, to_p)  # type: ignore[assignment]
    return {
        "low": percentile(xs, LOW_Q),
        "high": percentile(xs, HIGH_Q),
        "mc_error_low": monte_carlo_error(xs, LOW_Q),
        "mc_error_high": monte_carlo_error(xs, HIGH_Q),
        "valid_draws": len(xs),
    }


class _LazyProb:
    """Sorted LR draws seen as the sorted post-test probabilities they give from fixed odds."""

    def __init__(self, lrs: list[float], odds: float) -> None:
        self.lrs, self.odds = lrs, odds

    def __len__(self) -> int:
        return len(self.lrs)

    def __getitem__(self, i: int) -> float:
        lr = self.lrs[i]
        return _prob(_mul(self.odds, lr))


def simulate_chain(
    findings: Sequence[Finding],
    pretest: Optional[Pretest] = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    stream: Optional[str] = None,
    keep_draws: bool = False,
) -> dict[str, Any]:
    """The 95% simulation interval of a chain's combined LR and, given a pre-test probability
    (a number, or a (low, high) range drawn uniformly), of its post-test probability.

    Returns ``{"lr": {low, high, mc_error_low, mc_error_high, valid_draws}, "probability": {...}
    or None, "method", "draws", "seed", "fixed": [...], "drawn": [...], "pretest_drawn": bool}``
    (and ``"lr_draws"``, the combined LR of each draw, with ``keep_draws``). ``stream`` names
    one of several independent chains drawn under one seed (see ``generator``).
    """
    check_draws(draws)
    check_seed(seed)
    if not findings:
        raise ValueError("no findings")
    rng = generator(seed, stream)
    lrs = lr_products(findings, draws, rng)
    out: dict[str, Any] = {
        "lr": _ends(lrs),
        "probability": None,
        "method": METHOD,
        "draws": draws,
        "seed": seed,
        "fixed": [r for r in (fixed_reason(f) for f in findings) if r is not None],
        "drawn": [f.name for f in findings if f.drawn != "none"],
        "pretest_drawn": isinstance(pretest, tuple),
    }
    if keep_draws:
        out["lr_draws"] = lrs
    if pretest is not None:
        p0 = _pretest_draws(pretest, draws, rng)
        if isinstance(p0, list):
            probs = [_prob(_mul(_to_odds(p), lr)) if not math.isnan(lr) else math.nan for p, lr in zip(p0, lrs)]
            out["probability"] = _ends(probs)
        else:
            odds = _to_odds(p0)
            out["probability"] = _ends(lrs, to_p=odds) if not (odds == 0.0 or math.isinf(odds)) else _ends([p0] * draws)
    return out


def generator(seed: int, stream: Optional[str] = None) -> random.Random:
    """The seeded generator of a run, or of one named stream in it (the ranked differential draws
    each condition's chain from its own stream, so chains are independent of each other and of
    the order they are drawn in). A string seed is hashed with SHA-512 by ``random``: the same
    stream on every run, whatever PYTHONHASHSEED is."""
    return random.Random(seed if stream is None else f"{seed}:{stream}")


def share_above(xa: Sequence[float], xb: Sequence[float]) -> float:
    """The share of paired draws in which ``xa`` exceeds ``xb`` (a tie counts half; a draw with
    a nan on either side counts as not above)."""
    wins = 0.0
    for u, v in zip(xa, xb):
        if u > v:
            wins += 1.0
        elif u == v:
            wins += 0.5
    return wins / len(xa)


def order_holds(
    a: Sequence[Finding], b: Sequence[Finding], draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    """How firm an order by LR product is: the share of draws in which chain ``a``'s combined
    LR exceeds chain ``b``'s (a's findings drawn first, then b's, from one seeded generator).
    A tie in a draw counts half. ``{"share", "draws", "seed", "mc_error"}``; ``mc_error`` is the
    binomial standard error sqrt(s(1 - s)/N) of the share."""
    check_draws(draws)
    check_seed(seed)
    rng = random.Random(seed)
    xa = lr_products(a, draws, rng) if a else [1.0] * draws
    xb = lr_products(b, draws, rng) if b else [1.0] * draws
    return share_result(share_above(xa, xb), draws, seed)


def share_result(share: float, draws: int, seed: int) -> dict[str, Any]:
    return {"share": share, "draws": draws, "seed": seed, "mc_error": math.sqrt(share * (1.0 - share) / draws)}
