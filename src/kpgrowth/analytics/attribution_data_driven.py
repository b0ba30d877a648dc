"""Data-driven attribution on aggregated paths: Markov removal effects and Shapley values.

Both work on the small table of distinct paths that :mod:`kpgrowth.analytics.attribution`
aggregates in Ibis: one row per distinct channel sequence with how many times it ended in
an order (``conversions``) and how many times it did not (``nulls``). Everything here is
plain numpy on that table, so it costs the same on DuckDB and on Spark.

**Markov (first order, removal effect).** States are ``start``, one per channel,
``conversion`` and ``null``. Each path ``c1 > c2 > … > cn`` adds its count to the
transitions ``start → c1``, ``c_i → c_{i+1}`` and, for its conversions, ``cn → conversion``
and, for its nulls, ``cn → null``; transition probabilities are the row-normalised
counts. ``P(conversion)`` is the probability of absorbing in ``conversion`` from
``start``. Removing channel ``c`` sends every visit of ``c`` to ``null``; its removal
effect is ``RE_c = 1 - P_without_c(conversion) / P(conversion)``, and the channel's credit
is ``RE_c / Σ RE`` of all conversions (Anderl et al. 2016; the ``ChannelAttribution``
package's definition, computed exactly instead of by simulation).

**Shapley.** Players are channels; the worth of a coalition ``S`` is the number of
conversions of paths whose channel *set* is contained in ``S``. The Shapley value is
computed exactly over all ``2^k`` coalitions for ``k <= MAX_EXACT_CHANNELS`` channels.
This worth function is a sum of unanimity games, so the Shapley value is also exactly
"each converting path's credit split equally among its distinct channels"; that closed
form is used above the limit (and the two agree, see the tests). Non-converting paths
do not change this worth function.

Examples
--------
>>> paths = [("A", "B"), ("A",), ("B",)]
>>> re = markov_removal_effects(paths, conversions=[1, 0, 1], nulls=[0, 1, 0])
>>> {c: round(v, 4) for c, v in re.items()}
{'A': 0.5, 'B': 1.0}
>>> shapley_values([("A",), ("A", "B")], weights=[3, 2])
{'A': 4.0, 'B': 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

MAX_EXACT_CHANNELS = 16
"""Above this many channels Shapley values use the (equivalent) closed form."""


def _channels(paths: Sequence[Sequence[str]]) -> list[str]:
    return sorted({c for p in paths for c in p})


def _absorb_conversion(P: np.ndarray, k: int) -> float:
    """Probability of absorbing in ``conversion`` (index k+1) from ``start`` (index 0)."""
    n = k + 1  # transient: start + k channels
    Q = P[:n, :n]
    r = P[:n, k + 1]
    x = np.linalg.solve(np.eye(n) - Q, r)
    return float(x[0])


def transition_matrix(paths: Sequence[Sequence[str]], conversions: Sequence[float],
                      nulls: Sequence[float]) -> tuple[list[str], np.ndarray]:
    """The first-order transition matrix of the paths.

    Returns
    -------
    channels : list of str
        Channel ``i`` is state ``i + 1``; state 0 is ``start``, ``k + 1`` ``conversion``,
        ``k + 2`` ``null`` (k channels).
    P : ndarray of shape (k + 3, k + 3)
        Row-stochastic transition probabilities; absorbing states loop on themselves.
    """
    channels = _channels(paths)
    k = len(channels)
    idx = {c: i + 1 for i, c in enumerate(channels)}
    counts = np.zeros((k + 3, k + 3))
    for path, conv, null in zip(paths, conversions, nulls, strict=True):
        total = float(conv) + float(null)
        if not path or total <= 0:
            continue
        states = [0, *(idx[c] for c in path)]
        for a, b in pairwise(states):
            counts[a, b] += total
        counts[states[-1], k + 1] += float(conv)
        counts[states[-1], k + 2] += float(null)
    counts[k + 1, k + 1] = counts[k + 2, k + 2] = 1.0
    rows = counts.sum(axis=1, keepdims=True)
    dead = rows[:, 0] == 0  # a state never left: treat as null
    counts[dead, k + 2] = 1.0
    rows[dead] = 1.0
    return channels, counts / rows


def markov_removal_effects(paths: Sequence[Sequence[str]], conversions: Sequence[float],
                           nulls: Sequence[float]) -> dict[str, float]:
    """Removal effect ``RE_c = 1 - P_without_c(conversion) / P(conversion)`` per channel.

    Parameters
    ----------
    paths : sequence of sequence of str
        Distinct channel paths, in time order.
    conversions, nulls : sequence of float
        How often each path ended in an order / without one.

    Returns
    -------
    dict
        Channel → removal effect in ``[0, 1]`` (all 0 when nothing converts).
    """
    channels, P = transition_matrix(paths, conversions, nulls)
    k = len(channels)
    if k == 0:
        return {}
    base = _absorb_conversion(P, k)
    out: dict[str, float] = {}
    for i, c in enumerate(channels, start=1):
        if base <= 0:
            out[c] = 0.0
            continue
        Pr = P.copy()
        Pr[i, :] = 0.0
        Pr[i, k + 2] = 1.0  # every visit of c now ends in null
        out[c] = float(min(1.0, max(0.0, 1.0 - _absorb_conversion(Pr, k) / base)))
    return out


def markov_shares(paths: Sequence[Sequence[str]], conversions: Sequence[float],
                  nulls: Sequence[float]) -> dict[str, float]:
    """Each channel's share of credit: removal effects normalised to sum to 1.

    Examples
    --------
    >>> markov_shares([("A", "B"), ("A",), ("B",)], [1, 0, 1], [0, 1, 0])["B"]
    0.6666666666666666
    """
    re = markov_removal_effects(paths, conversions, nulls)
    total = sum(re.values())
    return {c: (v / total if total > 0 else 0.0) for c, v in re.items()}


def shapley_values(paths: Sequence[Sequence[str]], weights: Sequence[float], *,
                   exact: bool | None = None) -> dict[str, float]:
    """Shapley value of each channel for the worth ``v(S) = Σ weights of paths with set ⊆ S``.

    Parameters
    ----------
    paths : sequence of sequence of str
        Channel paths (order and repeats do not matter here).
    weights : sequence of float
        Conversions (or revenue) of each path.
    exact : bool, optional
        Force the coalition enumeration (``True``) or the closed form (``False``); by
        default enumeration for up to :data:`MAX_EXACT_CHANNELS` channels.

    Returns
    -------
    dict
        Channel → Shapley value; the values sum to ``v(all channels)`` (efficiency).
    """
    channels = _channels(paths)
    k = len(channels)
    if exact is None:
        exact = k <= MAX_EXACT_CHANNELS
    if not exact:
        out = dict.fromkeys(channels, 0.0)
        for path, w in zip(paths, weights, strict=True):
            members = set(path)
            for c in members:
                out[c] += float(w) / len(members)
        return out
    bit = {c: 1 << i for i, c in enumerate(channels)}
    n = 1 << k
    v = np.zeros(n)
    for path, w in zip(paths, weights, strict=True):
        if path:
            v[sum(bit[c] for c in set(path))] += float(w)
    masks = np.arange(n)
    for i in range(k):  # subset sums: v[S] = Σ_{T ⊆ S} w[T]
        has = (masks >> i) & 1 == 1
        v[has] += v[masks[has] ^ (1 << i)]
    size = np.array([m.bit_count() for m in range(n)])
    coef = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
                     if s < k else 0.0 for s in range(k + 1)])
    out = {}
    for i, c in enumerate(channels):
        without = masks[(masks >> i) & 1 == 0]
        out[c] = float(np.sum(coef[size[without]] * (v[without | (1 << i)] - v[without])))
    return out
