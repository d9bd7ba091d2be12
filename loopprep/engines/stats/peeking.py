"""Peeking: checking a fixed-horizon test every day and stopping at the first p < alpha inflates
the false-positive rate far above alpha.  A simulation of A/A tests (no true effect) shows it,
beside a valid sequential alternative: the mixture sequential probability ratio test (mSPRT) of
Johari, Koomen, Pekelis & Walsh ("Always Valid Inference", Operations Research 2022), whose
false-positive rate stays below alpha however often you look."""

from __future__ import annotations

import math

from loopprep.engines.stats.result import (
    Alternative,
    BadInput,
    StatResult,
    Step,
    check_alpha_power,
    check_count,
    check_rate,
    q,
    z_crit,
)


def peeking_simulation(
    *,
    baseline: float = 0.1,
    users_per_day: int = 1000,
    days: int = 14,
    alpha: float = 0.05,
    simulations: int = 2000,
    seed: int = 7,
    tau: float | None = None,
) -> StatResult:
    """Simulate ``simulations`` A/A tests of a ``baseline`` conversion rate with
    ``users_per_day`` users per arm per day for ``days`` days, seeded (same seed, same answer).
    ``tau`` is the mSPRT mixing sd on the difference (default 10 % of the baseline)."""
    import numpy as np

    check_rate("baseline", baseline, open_=True)
    check_count("users_per_day", users_per_day, minimum=10)
    check_count("days", days, minimum=2)
    if days > 365:
        raise BadInput("days", f"days must be at most 365; got {days}.")
    check_count("simulations", simulations, minimum=100)
    if simulations > 20000:
        raise BadInput("simulations", f"simulations must be at most 20000; got {simulations}.")
    if simulations * days > 1_000_000:  # keeps a request's memory and time bounded (~100 MB, < 1 s)
        raise BadInput(
            "simulations",
            f"simulations x days must be at most 1,000,000 (got {simulations:,} x {days}); use fewer of either.",
        )
    check_alpha_power(alpha)
    tau = baseline * 0.1 if tau is None else tau
    if not (math.isfinite(tau) and tau > 0):
        raise BadInput("tau", f"tau must be a positive number; got {tau:g}.")
    rng = np.random.default_rng(seed)
    a = rng.binomial(users_per_day, baseline, size=(simulations, days)).cumsum(axis=1)
    b = rng.binomial(users_per_day, baseline, size=(simulations, days)).cumsum(axis=1)
    n = users_per_day * np.arange(1, days + 1)
    pa, pb = a / n, b / n
    pool = (a + b) / (2 * n)
    var = pool * (1 - pool) * 2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (pb - pa) / np.sqrt(var), 0.0)
    zc = z_crit(alpha, 2)
    sig = np.abs(z) > zc
    peek_fp = float(sig.any(axis=1).mean())
    final_fp = float(sig[:, -1].mean())
    # mSPRT with a normal mixture N(0, tau^2) on the difference; V = per-pair variance 2 p (1 - p).
    vpair = 2 * pool * (1 - pool)
    t2 = tau * tau
    diff = pb - pa
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lam = 0.5 * np.log(vpair / (vpair + n * t2)) + (n * n * t2 * diff * diff) / (2 * vpair * (vpair + n * t2))
        log_lam = np.where(vpair > 0, log_lam, -np.inf)
    msprt_fp = float((log_lam >= math.log(1 / alpha)).any(axis=1).mean())
    first = np.where(sig.any(axis=1), sig.argmax(axis=1) + 1, 0)
    stopped = first[first > 0]
    se_mc = math.sqrt(peek_fp * (1 - peek_fp) / simulations)
    by_day = [float(sig[:, : d + 1].any(axis=1).mean()) for d in range(days)]
    return StatResult(
        result={
            "false_positive_peeking": q(peek_fp, "probability"),
            "false_positive_fixed_horizon": q(final_fp, "probability"),
            "false_positive_msprt": q(msprt_fp, "probability"),
            "nominal_alpha": q(alpha, "probability"),
            "inflation": q(peek_fp / alpha, "times alpha"),
            "median_stop_day": q(float(np.median(stopped)) if len(stopped) else None, "day"),
            "monte_carlo_se": q(se_mc, "probability"),
            "cumulative_false_positive_by_day": q(",".join(f"{x:.4f}" for x in by_day), "list"),
        },
        method="Monte Carlo simulation of A/A tests with a daily two-proportion z-test",
        summary=f"Checking every day for {days} days and stopping at the first p < {alpha:g} gives a false-positive "
        f"rate of {peek_fp:.1%} ({peek_fp / alpha:.1f} x the nominal {alpha:.0%}); looking once at the end gives "
        f"{final_fp:.1%}, and the always-valid mSPRT, checked daily, {msprt_fp:.1%}.",
        steps=(
            Step("simulate", f"{simulations} A/A tests, Binomial({users_per_day}, {baseline:g}) per arm per day", seed),
            Step(
                "daily z-test",
                "z_d = (pB - pA) / sqrt(2 pbar (1 - pbar) / n_d); reject if |z_d| > z(1 - alpha/2)",
                round(zc, 6),
            ),
            Step(
                "mSPRT",
                "Lambda_n = sqrt(V / (V + n tau^2)) exp(n^2 tau^2 d^2 / (2 V (V + n tau^2))); reject if "
                "Lambda_n >= 1/alpha",
                round(1 / alpha, 4),
            ),
            Step("peeking error", "share of runs with any daily rejection", peek_fp),
        ),
        alternatives=(
            Alternative("look once at the end (fixed horizon)", {"false_positive": q(final_fp, "probability")}),
            Alternative("mSPRT always-valid test, checked daily", {"false_positive": q(msprt_fp, "probability")}),
        ),
        inputs={
            "baseline": baseline,
            "users_per_day": users_per_day,
            "days": days,
            "alpha": alpha,
            "simulations": simulations,
            "seed": seed,
            "tau": tau,
        },
        warnings=(f"Simulation: figures carry a Monte Carlo error of about +/- {1.96 * se_mc:.3f}.",),
    )


def expected_peeking_bound(days: int, alpha: float) -> float:
    """An upper bound on the peeking error, 1 - (1 - alpha)^days (independent looks)."""
    return 1 - (1 - alpha) ** days
