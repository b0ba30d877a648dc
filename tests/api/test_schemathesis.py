"""Property-based tests over the OpenAPI: no 5xx and no undocumented status code.

Schemathesis generates valid and invalid requests for every operation of
``/openapi.json`` and sends them in-process with a valid admin key; its checks
``not_a_server_error`` and ``status_code_conformance`` must pass. Bounded:
:data:`MAX_EXAMPLES` per operation and generation mode.

(Schemathesis' ``from_fixture`` pytest integration needs pytest < 9, so the
operations are driven with their Hypothesis strategies directly.)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

from kpgrowth.keys import create_key
from kpgrowth.workspace import Workspace

MAX_EXAMPLES = 40
REAL_TABLES = ("orders", "products", "events", "users", "truth_users")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """An app over a small simulated business, and an admin key."""
    from kpgrowth.api.app import create_app
    from kpgrowth.simulate import simulate

    root: Path = tmp_path_factory.mktemp("schemathesis") / "ws"
    ws = Workspace.init(root)
    simulate(ws, users=300, days=14, seed=1)
    key = create_key(root, "admin", name="schemathesis").key
    yield create_app(root, workspace=ws), key
    ws.close()


@pytest.mark.slow
def test_no_server_errors_and_only_documented_statuses(served):
    app, key = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    seen: Counter[tuple[str, int]] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for op in operations:
        strategies = [op.as_strategy(GenerationMode.POSITIVE),
                      op.as_strategy(GenerationMode.NEGATIVE)]
        if "{table}" in op.path:  # also reach the library with tables that exist
            strategies += [op.as_strategy(mode, path_parameters={"table": t})
                           for t in REAL_TABLES for mode in GenerationMode]
        cases = st.one_of(strategies)

        @given(case=cases)
        @settings(max_examples=2 * MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {key}"},
                checks=[not_a_server_error, status_code_conformance])
            seen[(f"{case.method} {case.operation.path}", response.status_code)] += 1

        check()

    summary = ", ".join(f"{o} → {s}: {n}" for (o, s), n in sorted(seen.items()))
    print(f"\nschemathesis: {sum(seen.values())} cases over {len(operations)} operations, "
          f"0 failures; {summary}")
    assert {s for (_, s) in seen} >= {200, 422}
