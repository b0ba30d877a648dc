"""The true hour-of-week activity curve of each platform, and curve-shaped delays.

Hours are local to the business time zone (0 = Monday 00h). Posting times,
impression times and engagement times are all drawn through these curves, so
the curve is visible in the timestamps of the data.

Examples
--------
>>> curves = hour_of_week_curves()
>>> curves.shape, bool(abs(curves.mean(1) - 1).max() < 1e-9)
((8, 168), True)
>>> int(curves[2].argmax() % 24)   # douyin peaks at night
22
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kpgrowth.simulate.params import SIM_PLATFORMS
from kpgrowth.simulate.sink import HOUR, US, Clock

# platform -> ((peak hour, height, width), ...), weekday factors Mon..Sun
_PROFILES: dict[str, tuple[tuple[tuple[float, float, float], ...], tuple[float, ...]]] = {
    "wechat": (((8.0, 0.8, 1.2), (12.5, 0.7, 1.0), (21.5, 1.0, 1.5)), (1.05, 1.05, 1.05, 1.05, 1.0, 0.9, 0.9)),
    "weibo": (((12.0, 0.8, 1.5), (22.0, 1.0, 1.8)), (1, 1, 1, 1, 1, 1.05, 1.05)),
    "douyin": (((12.5, 0.6, 1.0), (19.0, 0.5, 1.0), (22.0, 1.0, 1.4)), (0.95, 0.95, 0.95, 1, 1.05, 1.15, 1.1)),
    "xiaohongshu": (((12.0, 0.6, 1.2), (21.5, 1.0, 1.5)), (0.95, 0.95, 0.95, 0.95, 1, 1.15, 1.15)),
    "bilibili": (((20.0, 0.8, 1.5), (23.0, 1.0, 1.2)), (0.9, 0.9, 0.9, 0.95, 1.05, 1.2, 1.2)),
    "zhihu": (((10.0, 0.5, 1.5), (23.0, 1.0, 1.2)), (1.05, 1.05, 1.05, 1.05, 1.0, 0.9, 0.9)),
    "tiktok": (((9.0, 1.0, 1.5), (2.0, 0.6, 1.5)), (1, 1, 1, 1, 1, 1.1, 1.1)),
    "instagram": (((8.0, 1.0, 1.5), (11.0, 0.6, 1.2)), (1, 1, 1, 1, 1, 1.1, 1.1)),
}


def hour_of_week_curves() -> np.ndarray:
    """(platforms, 168) multipliers with mean 1 per platform, in ``SIM_PLATFORMS`` order."""
    hours = np.arange(24.0)
    out = np.empty((len(SIM_PLATFORMS), 168))
    for j, plat in enumerate(SIM_PLATFORMS):
        peaks, week = _PROFILES[plat]
        day = np.full(24, 0.12)
        for h, a, w in peaks:
            d = np.minimum(np.abs(hours - h), 24 - np.abs(hours - h))
            day += a * np.exp(-0.5 * (d / w) ** 2)
        curve = (np.array(week)[:, None] * day[None, :]).ravel()
        out[j] = curve / curve.mean()
    return out


CURVES = hour_of_week_curves()
CURVE_MAX = CURVES.max(1)


def curve_table() -> pa.Table:
    """The ``truth_hour_of_week`` rows."""
    plat = np.repeat(np.array(SIM_PLATFORMS), 168)
    return pa.table({"platform": plat, "how": np.tile(np.arange(168, dtype=np.int64), len(SIM_PLATFORMS)),
                     "multiplier": CURVES.ravel()})


def curve_times(rng: np.random.Generator, clock: Clock, t0: np.ndarray, platform: np.ndarray,
                mean_hours: float, rounds: int = 8) -> np.ndarray:
    """Times after ``t0``: exponential delays thinned by the platform's hour-of-week curve."""
    t0 = np.asarray(t0, dtype=np.int64)
    out = t0 + (rng.exponential(mean_hours * HOUR, len(t0))).astype(np.int64)
    todo = np.arange(len(t0))
    for _ in range(rounds):
        if len(todo) == 0:
            break
        how = clock.how(out[todo])
        ok = rng.random(len(todo)) * CURVE_MAX[platform[todo]] < CURVES[platform[todo], how]
        todo = todo[~ok]
        out[todo] = t0[todo] + rng.exponential(mean_hours * HOUR, len(todo)).astype(np.int64)
    return out


def post_times(rng: np.random.Generator, clock: Clock, day: int, platform: np.ndarray) -> np.ndarray:
    """Posting times within local ``day`` drawn from each platform's curve for that weekday."""
    weekday = int(clock.how(np.array([clock.day_start(day)]))[0] // 24)
    rows = CURVES[:, weekday * 24:(weekday + 1) * 24]
    cdf = np.cumsum(rows, 1)
    cdf /= cdf[:, -1:]
    hour = (cdf[platform] < rng.random((len(platform), 1))).sum(1)
    return clock.day_start(day) + hour * HOUR + rng.integers(0, 3600 * US, len(platform))
