"""``POST /v1/user_behavior`` and ``POST /v1/group_engagement`` agree with direct counts and
with the analyses they summarize; bad bodies are problem+json naming the field."""

from __future__ import annotations

from collections import Counter

import pytest

PROBLEM = "application/problem+json"


def _buyer(api) -> str:
    o = api.ws.table("orders")
    o = o.filter(o.status == "paid")
    return o.user_key.max().to_pyarrow().as_py()


def _entered(api) -> str:
    """A user who reached at least step 2 of the default funnel."""
    from kpgrowth.analytics.funnel import funnel_positions

    pos = funnel_positions(api.ws)
    return pos.filter(pos.step >= 2).user_key.max().to_pyarrow().as_py()


@pytest.mark.parametrize("who", [_buyer, _entered])
def test_user_behavior_equals_direct_counts_and_the_analyses(api, who):
    from kpgrowth.analytics.engagement_index import engagement_index
    from kpgrowth.analytics.funnel import funnel_positions
    from kpgrowth.analytics.rfm import rfm

    key = who(api)
    r = api.post("/v1/user_behavior", role="viewer", json={"user_key": key})
    assert r.status_code == 200, r.text
    body = r.json()
    ev = api.ws.table("events")
    mine = ev.filter(ev.user_key == key).to_pyarrow().to_pylist()
    assert body["events"] == len(mine) > 0 and not body["anonymous"]
    assert body["by_type"] == dict(Counter(e["type"] for e in mine))
    assert body["by_platform"] == dict(Counter(e["platform"] or "(none)" for e in mine))
    assert body["first_seen"] == min(e["ts"] for e in mine).isoformat()
    o = api.ws.table("orders")
    paid = o.filter((o.user_key == key) & (o.status == "paid")).to_pyarrow().to_pylist()
    assert body["orders"]["orders"] == len(paid)
    assert body["orders"]["spend"] == pytest.approx(sum(float(p["amount"]) for p in paid))
    pos = funnel_positions(api.ws)
    step = pos.filter(pos.user_key == key).step.max().to_pyarrow().as_py() or 0
    assert body["funnel"]["step"] == step
    assert body["funnel"]["name"] == (body["funnel"]["steps"][step - 1] if step else None)
    row = {u["user_key"]: u for u in engagement_index(api.ws).rows}[key]
    assert {k: v for k, v in body["engagement"].items() if k != "weights"} == row
    buyers = {u["user_key"]: u for u in rfm(api.ws).users}
    if paid:
        assert {k: v for k, v in body["rfm"].items() if k != "as_of"} == buyers[key]
    else:
        assert body["rfm"] is None


def test_anonymous_events_are_summarized_and_not_stored(api):
    before = api.ws.store.count("events")
    events = [{"ts": "2026-01-05T20:00:00+08:00", "type": "impression", "platform": "douyin",
               "post_id": "v1"},
              {"ts": "2026-01-05 20:01", "type": "click", "platform": "douyin", "value": 2},
              {"ts": "2026-01-05 20:03", "type": "trailer_view", "product_id": "c1"}]
    r = api.post("/v1/user_behavior", role="viewer", json={"events": events})
    assert r.status_code == 200, r.text
    b = r.json()
    assert (b["user_key"], b["anonymous"], b["new_events"], b["events"]) == (
        "(anonymous)", True, 3, 3)
    assert b["by_platform"] == {"douyin": 2, "(none)": 1}
    assert b["first_seen"] == "2026-01-05T12:00:00+00:00"  # naive times: workspace zone
    assert (b["funnel"]["step"], b["funnel"]["name"]) == (3, "trailer_view")
    assert b["rfm"] is None and b["orders"]["orders"] == 0
    assert b["engagement"]["views"] == 1.0
    assert api.ws.store.count("events") == before
    key = _buyer(api)
    alone = api.post("/v1/user_behavior", json={"user_key": key}).json()
    more = api.post("/v1/user_behavior", json={"user_key": key, "events": events}).json()
    assert more["events"] == alone["events"] + 3 and more["new_events"] == 3
    assert more["by_type"]["click"] == alone["by_type"].get("click", 0) + 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"user_key": "u_nobody"}, 404, "user_key"),
    ({}, 422, "user_key"),
    ({"user_key": ""}, 422, "user_key"),
    ({"user_key": "u\u0000"}, 422, "user_key"),
    ({"user": "x"}, 422, "user"),
    ({"events": []}, 422, "events"),
    ({"events": [{"ts": "2026-01-05", "type": "glance"}]}, 422, "events.0.type"),
    ({"events": [{"ts": "2026-01-05", "type": "view"}, {"ts": "2026-13-05", "type": "view"}]},
     422, "events.1.ts"),
    ({"events": [{"ts": "2026-01-05", "type": "view", "user_key": "u1"}]}, 422,
     "events.0.user_key"),
    ({"events": [{"ts": "2026-01-05", "type": "view", "value": "3"}]}, 422, "events.0.value"),
    ({"events": [{"ts": "2026-01-05", "type": "view"}] * 10_001}, 422, "events"),
])
def test_user_behavior_refuses_bad_bodies(api, body, status, field):
    r = api.post("/v1/user_behavior", role="viewer", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM and r.json()["field"] == field


def test_group_engagement_equals_community_health(api):
    from kpgrowth.analytics.community import community_health

    comms = api.ws.table("communities").community_id.to_pyarrow().to_pylist()
    ids = sorted(comms)[:2]
    r = api.post("/v1/group_engagement", role="viewer",
                 json={"community_ids": [*ids, "nope"], "period": "month"})
    assert r.status_code == 200, r.text
    g = r.json()
    assert (g["known"], g["unknown"]) == (ids, ["nope"])
    want = [x for x in community_health(api.ws, period="month").rows if x["community_id"] in ids]
    assert g["rows"] == want and want
    assert [x["community_id"] for x in g["latest"]] == ids
    assert g["latest"][0] == [x for x in want if x["community_id"] == ids[0]][-1]
    w = api.post("/v1/group_engagement", json={"community_ids": ids[:1], "start": "2026-01-05",
                                               "end": "2026-01-11"}).json()
    assert w["rows"] == [x for x in community_health(api.ws, start="2026-01-05",
                                                     end="2026-01-11").rows
                         if x["community_id"] == ids[0]]
    assert len(w["rows"]) == 1 and w["rows"][0]["period"] == "2026-01-05"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"community_ids": ["nope", "nada"]}, 404, "community_ids"),
    ({"community_ids": []}, 422, "community_ids"),
    ({"community_ids": ["\u0000"]}, 422, "community_ids.0"),
    ({"community_ids": ["x"] * 101}, 422, "community_ids"),
    ({"community_ids": ["cmty001"], "period": "year"}, 422, "period"),
    ({"community_ids": ["cmty001"], "start": "last week"}, 422, "start"),
    ({"community_ids": ["cmty001"], "start": "2026-02-30"}, 422, None),
    ({"community_ids": ["cmty001"], "group": "x"}, 422, "group"),
])
def test_group_engagement_refuses_bad_bodies(api, body, status, field):
    r = api.post("/v1/group_engagement", role="viewer", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM and r.json().get("field") == field


def test_behavior_routes_need_a_key_and_are_documented(api):
    assert api.client.post("/v1/user_behavior", json={"user_key": "x"}).status_code == 401
    assert api.client.post("/v1/group_engagement", json={"community_ids": ["x"]}).status_code \
        == 401
    spec = api.client.get("/openapi.json").json()
    for path, model in (("/v1/user_behavior", "UserBehaviorIn"),
                        ("/v1/group_engagement", "GroupEngagementIn")):
        op = spec["paths"][path]["post"]
        assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(model)
        assert {"200", "404", "422"} <= set(op["responses"])
        schema = spec["components"]["schemas"][model]
        assert schema["additionalProperties"] is False and schema["examples"]
