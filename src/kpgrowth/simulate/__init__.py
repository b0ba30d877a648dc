"""The simulator: a complete, realistic knowledge business with the ground truth real data lacks.

:func:`simulate` fills a workspace's canonical tables (users, identities, products,
posts, post_metrics, events, orders, comments, edges, communities, memberships,
campaigns, spend) and ``truth_*`` tables holding every latent quantity that
produced them: interests, cascade probabilities, hour-of-week curves, funnel
coefficients, channel response curves, A/B and uplift effects, community
effects, churn hazards, comment sentiment and bot labels. See
``docs/simulator.md``.

Examples
--------
>>> from kpgrowth.simulate import simulate, SimulationResult
>>> from kpgrowth.simulate.truth import TRUTH_TABLES
>>> len(TRUTH_TABLES) >= 20
True
"""

from __future__ import annotations

from kpgrowth.simulate import truth as _truth  # noqa: F401  (registers the truth tables)
from kpgrowth.simulate.core import SimulationResult, simulate

__all__ = ["SimulationResult", "simulate"]
