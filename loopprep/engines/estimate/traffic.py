"""Load: QPS from daily users, requests in flight (Little's law), GPUs for a token load, cost."""

from __future__ import annotations

from loopprep.engines.estimate.steps import SECONDS_PER_DAY, BadInput, Estimate, Work, ceil_div, num, positive, whole

HOURS_PER_MONTH = 730  # 8,760 hours a year / 12


def traffic(
    *,
    dau: float,
    sessions_per_user: float,
    requests_per_session: float,
    peak_factor: float = 3.0,
    tokens_per_request: float = 0.0,
) -> Estimate:
    """Average QPS = DAU x sessions x requests / 86,400; peak = average x peak factor; with
    tokens per request, tokens per day and per second (average and peak)."""
    positive("dau", dau)
    positive("sessions_per_user", sessions_per_user)
    positive("requests_per_session", requests_per_session)
    if peak_factor < 1:
        raise BadInput(
            "peak_factor",
            f"'peak_factor' must be at least 1 (got {peak_factor}).",
            "Peak is average x factor; 3–5 is typical for consumer apps.",
        )
    if tokens_per_request < 0:
        raise BadInput("tokens_per_request", f"'tokens_per_request' cannot be negative (got {tokens_per_request}).")
    w = Work(
        {
            "dau": dau,
            "sessions_per_user": sessions_per_user,
            "requests_per_session": requests_per_session,
            "peak_factor": peak_factor,
            "tokens_per_request": tokens_per_request,
        }
    )
    per_day = w.step(
        "Requests per day",
        f"{num(dau)} DAU x {num(sessions_per_user)} sessions x {num(requests_per_session)} requests",
        dau * sessions_per_user * requests_per_session,
        "requests/day",
        name="requests_per_day",
    )
    avg = w.step("Average QPS", f"{num(per_day)} / 86,400 s", per_day / SECONDS_PER_DAY, "requests/s", name="avg_qps")
    w.step("Peak QPS", f"{num(avg)} x {num(peak_factor)}", avg * peak_factor, "requests/s", name="peak_qps")
    if tokens_per_request:
        tpd = w.step(
            "Tokens per day",
            f"{num(per_day)} x {num(tokens_per_request)} tokens",
            per_day * tokens_per_request,
            "tokens/day",
            name="tokens_per_day",
        )
        tps = w.step(
            "Average tokens/s", f"{num(tpd)} / 86,400 s", tpd / SECONDS_PER_DAY, "tokens/s", name="avg_tokens_per_s"
        )
        w.step(
            "Peak tokens/s", f"{num(tps)} x {num(peak_factor)}", tps * peak_factor, "tokens/s", name="peak_tokens_per_s"
        )
    if avg * peak_factor > 100_000:
        w.warnings.append("Peak above 100,000 QPS: check sessions per user and requests per session before going on.")
    return w.done()


def inflight(*, arrival_rate: float, latency_s: float, latency_kind: str = "mean") -> Estimate:
    """Little's law: L = λ x W, requests in flight from the arrival rate and the MEAN time in the
    system.  A percentile (p50/p95/p99) is not the mean, and not a bound on it either (a heavy
    tail can put the mean above the p99): the figure then comes with a warning."""
    positive("arrival_rate", arrival_rate)
    positive("latency_s", latency_s)
    kinds = ("mean", "p50", "p90", "p95", "p99")
    if latency_kind not in kinds:
        raise BadInput("latency_kind", f"'latency_kind' must be one of {', '.join(kinds)} (got {latency_kind!r}).")
    w = Work({"arrival_rate": arrival_rate, "latency_s": latency_s, "latency_kind": latency_kind})
    w.step(
        "Requests in flight (Little's law)",
        f"{num(arrival_rate)} req/s x {num(latency_s)} s",
        arrival_rate * latency_s,
        "requests",
        name="in_flight",
    )
    if latency_kind != "mean":
        w.warnings.append(
            f"Little's law needs the MEAN time in the system; a {latency_kind} is not the mean and not a bound on it: "
            "a light tail puts the mean below it, a heavy tail can put the mean above it (99 % of requests at "
            "0.5 s and 1 % at 60 s: p99 0.5 s, mean 1.1 s). Use the mean, or say which way your tail leans."
        )
    return w.done()


def gpus_for_load(
    *,
    peak_tokens_per_s: float,
    tokens_per_s_per_gpu: float,
    headroom: float = 1.3,
    tp: int = 1,
) -> Estimate:
    """GPUs = ⌈peak tokens/s / per-GPU tokens/s x headroom⌉, rounded up to whole tensor-parallel
    replicas of ``tp`` GPUs."""
    positive("peak_tokens_per_s", peak_tokens_per_s)
    positive("tokens_per_s_per_gpu", tokens_per_s_per_gpu)
    whole("tp", tp)
    if headroom < 1:
        raise BadInput("headroom", f"'headroom' must be at least 1 (got {headroom}).", "1.3 means 30 % spare capacity.")
    w = Work(
        {
            "peak_tokens_per_s": peak_tokens_per_s,
            "tokens_per_s_per_gpu": tokens_per_s_per_gpu,
            "headroom": headroom,
            "tp": tp,
        }
    )
    raw = w.step(
        "GPUs at peak, no headroom",
        f"{num(peak_tokens_per_s)} / {num(tokens_per_s_per_gpu)}",
        peak_tokens_per_s / tokens_per_s_per_gpu,
        "GPUs",
        name="gpus_no_headroom",
    )
    with_h = w.step("With headroom", f"{num(raw)} x {num(headroom)}", raw * headroom, "GPUs")
    if tp > 1:
        replicas = w.step(
            "Replicas of TP " + str(tp),
            f"⌈{num(with_h)} / {tp}⌉",
            ceil_div(with_h * 1.0, tp),
            "replicas",
            name="replicas",
        )
        w.step("GPUs", f"{num(replicas)} x {tp}", replicas * tp, "GPUs", name="gpus")
    else:
        w.step("GPUs", f"⌈{num(with_h)}⌉", ceil_div(with_h, 1), "GPUs", name="gpus")
    return w.done()


def monthly_cost(
    *, gpus: float, price_per_gpu_hour: float, hours_per_month: float = HOURS_PER_MONTH, utilisation: float = 1.0
) -> Estimate:
    """Cost per month = GPUs x hours x share of the month rented x price per GPU-hour."""
    positive("gpus", gpus)
    positive("price_per_gpu_hour", price_per_gpu_hour, hint="Use your provider's price in $ per GPU-hour.")
    positive("hours_per_month", hours_per_month)
    if not 0 < utilisation <= 1:
        raise BadInput(
            "utilisation", f"'utilisation' must be between 0 and 1 (got {utilisation}).", "1 means rented all month."
        )
    if hours_per_month > 744:
        raise BadInput("hours_per_month", f"A month has at most 744 hours (got {hours_per_month}).")
    w = Work(
        {
            "gpus": gpus,
            "price_per_gpu_hour": price_per_gpu_hour,
            "hours_per_month": hours_per_month,
            "utilisation": utilisation,
        }
    )
    gh = w.step(
        "GPU-hours per month",
        f"{num(gpus)} GPUs x {num(hours_per_month)} h x {num(utilisation)}",
        gpus * hours_per_month * utilisation,
        "GPU-hours",
        name="gpu_hours",
    )
    cost = w.step(
        "Cost per month",
        f"{num(gh)} x ${num(price_per_gpu_hour)}",
        gh * price_per_gpu_hour,
        "$/month",
        name="cost_per_month",
    )
    w.step("Cost per year", f"{num(cost)} x 12", cost * 12, "$/year", name="cost_per_year")
    return w.done()
