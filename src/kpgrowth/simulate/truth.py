"""Declarations of the ``truth_*`` tables: the latent quantities behind the simulated data.

Each table is declared with :class:`kpgrowth.schema.Table` and registered with
:func:`kpgrowth.store.register_table` on import, so any store can create it.
``docs/simulator.md`` describes every table and the model it is meant to check.

Examples
--------
>>> from kpgrowth.simulate.truth import TRUTH_TABLES
>>> TRUTH_TABLES["truth_edges"].key
('src', 'dst')
>>> all(name.startswith("truth_") for name in TRUTH_TABLES)
True
"""

from __future__ import annotations

from kpgrowth.schema import C, R, Table
from kpgrowth.simulate.params import TOPICS
from kpgrowth.store import register_table

_INTEREST = tuple(C(f"interest_{t.key}", "float64", f"latent interest in {t.en} (sums to 1)")
                  for t in TOPICS)
_TOPICVEC = tuple(C(f"topic_{t.key}", "float64", f"weight of topic {t.en} (sums to 1)")
                  for t in TOPICS)

_tables = [
    Table("truth_users", (
        R("user_key"), *_INTEREST,
        C("top_topic"), C("price_sensitivity", "float64", "multiplies -log(price/100) in the funnel"),
        C("activity", "float64", "activity level (heavy-tailed, mean about 1)"),
        C("home_platform"), C("platform_affinity", doc="JSON object platform -> share"),
        C("first_channel"), C("region"), C("block", "int64", "planted graph block"),
        C("bot_kind", doc="none, bot, spam or zombie"), C("is_promoter", "boolean"),
    ), key=("user_key",), doc="latent traits of each simulated person"),
    Table("truth_products", (
        R("product_id"), C("kind"), C("topic"), *_TOPICVEC,
        C("quality", "float64", "0..1"), C("lessons", "int64"),
    ), key=("product_id",), doc="latent topic mix and quality of each product"),
    Table("truth_posts", (
        R("post_id"), C("platform"), C("author_user_key"), C("author_kind", doc="seller or kol"),
        C("topic"), C("quality", "float64", "0..1"), C("product_id"),
        C("how", "int64", "hour of week posted (0 = Monday 00h local)"),
        C("how_multiplier", "float64"), C("seeded_bot_burst", "boolean"),
    ), key=("post_id",), doc="latent quality and timing of each post"),
    Table("truth_edges", (
        R("src", doc="follower"), R("dst", doc="followed"),
        C("edge_class", doc="same_block, cross_block or kol_follower"),
        C("p_cascade", "float64", "independent-cascade probability that src reposts what dst posts"),
    ), key=("src", "dst"), doc="true diffusion probability of every follow edge"),
    Table("truth_kols", (
        R("user_key"), C("tier", doc="top, mid, micro or koc"), C("block", "int64"), C("topic"),
        C("followers", "int64"), C("paid", "boolean", "hired by the seller"),
    ), key=("user_key",), doc="the planted KOLs"),
    Table("truth_graph_communities", (
        R("user_key"), C("block", "int64"), C("topic"),
    ), key=("user_key",), doc="the planted stochastic block of each user"),
    Table("truth_hour_of_week", (
        R("platform"), R("how", "int64", "hour of week in the workspace time zone, 0 = Mon 00h"),
        C("multiplier", "float64", "relative activity (mean 1 over the week)"),
    ), key=("platform", "how"), doc="the true hour-of-week activity curve per platform"),
    Table("truth_funnel_coefs", (
        R("step"), R("term"), C("coef", "float64"),
    ), key=("step", "term"), doc="logistic coefficients of each funnel step"),
    Table("truth_funnel", (
        R("session_id"), C("ts", "timestamp"), C("user_key"), C("product_id"), C("channel"),
        C("platform"), C("campaign_id"), C("referrer_user_key"), C("coupon", "boolean"),
        C("p_landing", "float64"), C("p_trailer", "float64"), C("p_cart", "float64"),
        C("p_purchase", "float64", "purchase given add_to_cart"),
        C("p_overall", "float64", "purchase given click"), C("reached"),
    ), key=("session_id",), doc="every click session with its true step probabilities"),
    Table("truth_channel_purchase", (
        R("channel"), C("sessions", "int64"), C("true_purchase_prob", "float64"),
        C("expected_purchases", "float64"), C("expected_share", "float64"),
    ), key=("channel",), doc="per channel, the true purchase probability per click session"),
    Table("truth_promoters", (
        R("user_key"), C("tier", "int64"), C("tier_name"), C("commission_rate", "float64"),
        C("superior_user_key"), C("superior_rate", "float64"), C("invite_rate", "float64"),
    ), key=("user_key",), doc="分销 promoters with tier and commission rate"),
    Table("truth_channel_response", (
        R("channel"), C("platform"), C("campaign_id"), C("decay", "float64"),
        C("half_saturation", "float64", "adstocked daily spend (CNY) at half the maximum effect"),
        C("shape", "float64", "Hill exponent"), C("beta", "float64", "max landing sessions per day"),
        C("conv_per_session", "float64", "realised mean true purchase probability per session"),
        C("max_conversions", "float64", "beta * conv_per_session"),
        C("cpm", "float64"),
    ), key=("channel",), doc="true adstock + Hill response of each paid channel"),
    Table("truth_channel_contributions", (
        R("date", "date"), R("channel"), C("spend", "float64"), C("adstock", "float64"),
        C("expected_sessions", "float64"), C("sessions", "int64"),
        C("expected_conversions", "float64"), C("conversions", "int64"), C("revenue", "float64"),
    ), key=("date", "channel"), doc="daily true incremental sessions and conversions per channel"),
    Table("truth_ab_test", (
        R("test_id"), R("variant"), C("campaign_id"), C("true_ctr", "float64"),
        C("true_lift", "float64", "relative CTR lift over variant A"),
        C("impressions", "int64"), C("clicks", "int64"),
    ), key=("test_id", "variant"), doc="creative A/B test with known CTRs"),
    Table("truth_uplift", (
        R("user_key"), C("treated", "boolean"), C("product_id"), C("p_control", "float64"),
        C("p_treated", "float64"), C("true_effect", "float64"), C("purchased", "boolean"),
        C("sent_at", "timestamp"),
    ), key=("user_key",), doc="coupon campaign: per-user true treatment effect"),
    Table("truth_community_effect", (
        R("community_id"), C("kind"), C("hazard_ratio", "float64",
                                         "multiplies the user's churn hazard while a member"),
        C("message_rate", "float64"), C("leave_hazard_monthly", "float64"),
    ), key=("community_id",), doc="true effect of each community on retention"),
    Table("truth_churn", (
        R("user_key"), C("monthly_hazard", "float64", "hazard of going inactive, outside communities"),
        C("churned_at", "timestamp", "when the user went inactive for good (null: still active)"),
        C("community_member", "boolean", "was in a community at some point"),
    ), key=("user_key",), doc="true activity churn of every user"),
    Table("truth_subscriptions", (
        R("user_key"), R("product_id"), R("started_at", "timestamp"),
        C("monthly_hazard", "float64"), C("renewals", "int64"),
        C("churned_at", "timestamp", "cancellation time (null: active at the end)"),
    ), key=("user_key", "product_id", "started_at"),
       doc="membership subscriptions with their true churn hazard"),
    Table("truth_comments", (
        R("comment_id"), C("sentiment", "int64", "-1, 0 or 1"), C("score", "float64", "-1..1"),
        C("aspect", doc="price, content, teacher, service, platform, none"),
        C("language", doc="zh, en or mixed"), C("kind", doc="organic, spam"),
        C("sarcasm", "boolean"), C("p_negative", "float64"), C("p_neutral", "float64"),
        C("p_positive", "float64"),
    ), key=("comment_id",), doc="true sentiment and aspect of every comment"),
    Table("truth_bots", (
        R("user_key"), C("kind", doc="bot (fake likes), spam (spam comments), zombie (fake follows)"),
        C("created_at", "timestamp"),
    ), key=("user_key",), doc="fake accounts and what they do"),
]

TRUTH_TABLES: dict[str, Table] = {t.name: register_table(t) for t in _tables}
"""Every truth table by name (registered with the store on import)."""
