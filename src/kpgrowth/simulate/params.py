"""The simulator's fixed world: topics, platforms, channels and the true coefficients.

Everything here is a *known* parameter of the synthetic business. The ``truth_*``
tables copy these values so that models can be checked against them.

Examples
--------
>>> from kpgrowth.simulate.params import TOPICS, CHANNELS, hill
>>> len(TOPICS), TOPICS[1].zh
(8, '编程')
>>> "referral" in CHANNELS
True
>>> round(float(hill(100.0, half=100.0, shape=2.0)), 2)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Topic:
    """One product/interest topic with its Chinese and English words."""

    key: str
    zh: str
    en: str
    words_zh: tuple[str, ...]
    words_en: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("career", "职场", "Career", ("升职加薪", "汇报", "沟通", "时间管理", "面试"),
          ("promotion", "presentations", "communication", "time management", "interviews")),
    Topic("programming", "编程", "Programming", ("Python", "数据分析", "前端", "算法", "AI应用"),
          ("Python", "data analysis", "front-end", "algorithms", "AI apps")),
    Topic("english", "英语", "English", ("口语", "雅思", "单词", "听力", "商务英语"),
          ("speaking", "IELTS", "vocabulary", "listening", "business English")),
    Topic("finance", "理财", "Finance", ("基金定投", "记账", "资产配置", "保险", "财务自由"),
          ("index funds", "budgeting", "asset allocation", "insurance", "financial freedom")),
    Topic("parenting", "育儿", "Parenting", ("亲子沟通", "辅食", "早教", "绘本", "情绪管理"),
          ("parent-child talk", "baby food", "early learning", "picture books", "emotions")),
    Topic("photography", "摄影", "Photography", ("手机摄影", "构图", "调色", "人像", "Vlog"),
          ("phone photography", "composition", "color grading", "portraits", "vlogging")),
    Topic("fitness", "健身", "Fitness", ("减脂", "普拉提", "跑步", "体态", "增肌"),
          ("fat loss", "pilates", "running", "posture", "muscle gain")),
    Topic("writing", "写作", "Writing", ("公众号写作", "文案", "小红书爆文", "故事", "副业"),
          ("newsletter writing", "copywriting", "viral notes", "storytelling", "side hustle")),
)
"""The eight topics of the catalog and of users' latent interests."""

K = len(TOPICS)

SIM_PLATFORMS: tuple[str, ...] = (
    "wechat", "weibo", "douyin", "xiaohongshu", "bilibili", "zhihu", "tiktok", "instagram",
)
"""Platforms users are present on (a subset of :data:`kpgrowth.schema.PLATFORMS`)."""

PLATFORM_BASE = np.array([3.0, 1.2, 2.6, 2.0, 1.2, 1.0, 0.3, 0.3])
"""Dirichlet base of platform affinity for users in China (overseas users: see population)."""

PLATFORM_FORMATS: dict[str, tuple[str, ...]] = {
    "wechat": ("article", "live", "video"), "weibo": ("text", "image", "video"),
    "douyin": ("short_video", "live"), "xiaohongshu": ("note", "image", "short_video"),
    "bilibili": ("video", "live"), "zhihu": ("article", "text"),
    "tiktok": ("short_video", "live"), "instagram": ("image", "short_video"),
}

CHANNELS: tuple[str, ...] = ("organic", "paid", "kol", "referral", "community", "search", "email")
"""Acquisition and sales channels (``email`` only for the coupon campaign's sessions)."""

ACQ_CHANNEL_P = np.array([0.34, 0.22, 0.16, 0.10, 0.08, 0.10, 0.0])
"""Share of new users per acquisition channel (``users.first_channel``)."""

REGIONS_CN: tuple[str, ...] = (
    "广东", "北京", "上海", "浙江", "江苏", "四川", "湖北", "山东", "福建", "河南", "湖南", "陕西",
)
REGIONS_ABROAD: tuple[str, ...] = ("US", "SG", "MY", "CA", "AU", "GB")
ABROAD_SHARE = 0.06

PRICE_LADDER: dict[str, tuple[float, ...]] = {
    "course": (99.0, 199.0, 299.0, 399.0, 699.0), "live": (9.9, 19.9, 29.9, 49.0),
    "ebook": (9.9, 19.9, 29.9, 39.0), "membership": (29.9, 49.0, 99.0),
    "community": (199.0, 299.0, 365.0), "bundle": (0.0,), "column": (49.0, 99.0, 129.0),
    "bootcamp": (699.0, 999.0, 1999.0, 2999.0),
}
"""List prices in CNY per product kind (bundles: 70 % of their components)."""

LESSONS: dict[str, int] = {"course": 24, "live": 1, "ebook": 0, "membership": 8, "community": 0,
                           "bundle": 30, "column": 40, "bootcamp": 21}

# -- funnel (logistic coefficients; z = clipped log(K * topic match), price term uses
#    price sensitivity * log(price / 100)) -------------------------------------------
FUNNEL_COEFS: dict[str, dict[str, float]] = {
    "click":        {"intercept": -3.6, "match": 0.7, "quality": 1.5, "price": 0.0},
    "landing":      {"intercept": 2.0, "match": 0.3, "quality": 0.0, "price": 0.0},
    "trailer_view": {"intercept": 0.0, "match": 0.8, "quality": 1.0, "price": 0.0},
    "add_to_cart":  {"intercept": -1.2, "match": 0.6, "quality": 0.8, "price": -0.6},
    "purchase":     {"intercept": -0.8, "match": 0.4, "quality": 1.2, "price": -0.8},
}
"""True logistic coefficients of each funnel step given the previous one."""

CHANNEL_EFFECT: dict[str, float] = {"organic": 0.0, "paid": -0.3, "kol": 0.2, "referral": 0.6,
                                    "community": 0.8, "search": 0.4, "email": 0.3}
"""Additive logit effect of the session's channel on trailer, cart and purchase steps."""

LESSON_START_P = 0.85
REFUND_BASE_LOGIT = -2.6
"""Refund logit = REFUND_BASE_LOGIT + 3 * (0.5 - quality)."""

# -- engagement given an impression ------------------------------------------------
ENGAGEMENT_COEFS: dict[str, dict[str, float]] = {
    "view":    {"intercept": -0.6, "match": 0.8, "quality": 1.2, "how": 0.5},
    "like":    {"intercept": -2.4, "match": 0.6, "quality": 1.6, "how": 0.5},
    "comment": {"intercept": -4.6, "match": 0.5, "quality": 1.0, "how": 0.5},
    "save":    {"intercept": -3.6, "match": 0.7, "quality": 1.2, "how": 0.3},
    "follow":  {"intercept": -4.8, "match": 0.6, "quality": 1.0, "how": 0.3},
}
"""Logistic coefficients: ``view`` given impression, the others given a view.
``how`` multiplies log(hour-of-week multiplier) at the event time."""

FOLLOWER_VISIBILITY = 0.25
"""Probability that a follower who does not repost sees a post (times min(1, activity))."""

# -- independent cascade ----------------------------------------------------------
CASCADE_BASE = {"same_block": 0.008, "cross_block": 0.003, "kol_follower": 0.012}
"""Base IC probability per edge class (times a per-edge lognormal factor and topic match)."""
CASCADE_MAX_DEPTH = 8

# -- paid channels (geometric adstock + Hill saturation on landing sessions) ----------
@dataclass(frozen=True)
class MediaChannel:
    """A paid media channel with its true response curve."""

    key: str
    platform: str
    channel: str
    daily_budget: float
    decay: float
    half_saturation: float
    shape: float
    beta_per_10k: float
    cpm: float
    ctr: float


MEDIA: tuple[MediaChannel, ...] = (
    MediaChannel("douyin_feed", "douyin", "paid", 3000.0, 0.55, 4500.0, 1.6, 120.0, 38.0, 0.012),
    MediaChannel("xiaohongshu_feed", "xiaohongshu", "paid", 1800.0, 0.40, 2500.0, 1.3, 80.0, 55.0, 0.016),
    MediaChannel("wechat_moments", "wechat", "paid", 1500.0, 0.70, 3000.0, 1.0, 70.0, 60.0, 0.009),
    MediaChannel("weibo_fensitong", "weibo", "paid", 800.0, 0.30, 1500.0, 2.0, 30.0, 20.0, 0.007),
    MediaChannel("bilibili_kol", "bilibili", "kol", 1200.0, 0.80, 2000.0, 1.2, 60.0, 30.0, 0.020),
    MediaChannel("tiktok_ads", "tiktok", "paid", 500.0, 0.45, 800.0, 1.5, 12.0, 70.0, 0.010),
)
"""Paid channels. ``beta_per_10k``: maximum landing sessions per day per 10,000 users.
Spend scales with users / 20,000."""

AB_CHANNEL = "douyin_feed"
AB_CTR = {"A": 0.012, "B": 0.0144}
"""Creative A/B test on the douyin campaign: true CTRs (B is +20 %)."""

# -- coupon campaign ----------------------------------------------------------------
COUPON_DISCOUNT = 0.3
COUPON_WINDOW_DAYS = 14
COUPON_BASE_LOGIT = -4.2
"""Control purchase probability in the window: sigmoid(base + 0.6 z + activity term)."""

# -- retention, communities and memberships -----------------------------------------
ACTIVITY_HAZARD_MONTHLY = 0.10
"""Median monthly hazard of a user going inactive for good (times a lognormal factor)."""
COMMUNITY_HAZARD_RATIO = {"wechat_group": 0.7, "zsxq": 0.45}
COMMUNITY_MSG_RATE = {"wechat_group": 0.25, "zsxq": 0.4}
"""Messages per member per day (times activity)."""
GROUP_JOIN_DAILY = 0.0015
COMMUNITY_LEAVE_MONTHLY = {"wechat_group": 0.12, "zsxq": 0.05}
MEMBERSHIP_CHURN_MONTHLY = 0.18
"""Median monthly hazard of cancelling a membership; times exp(0.5 * price sensitivity - 0.5)
and the community hazard ratio for community members."""

# -- promoters (分销) ------------------------------------------------------------------
PROMOTER_TIERS = {1: ("推广员", 0.10, 0.05), 2: ("高级推广员", 0.20, 0.10), 3: ("合伙人", 0.30, 0.20)}
"""tier -> (name, commission rate, daily invite probability)."""
SUPERIOR_RATE = 0.05
INVITE_CLICK_P = 0.2

# -- bots and comments ----------------------------------------------------------------
BOT_SHARE = {"bot": 0.012, "spam": 0.006, "zombie": 0.012}
SENTIMENT_LOGITS = {"neg": (-0.4, -3.0), "neu": (0.0, 0.0), "pos": (0.3, 3.0)}
"""Sentiment logits: intercept + slope * (quality - 0.5) per class (neutral is the reference)."""


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """The logistic function.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    """
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def adstock(x: np.ndarray, decay: float) -> np.ndarray:
    """Geometric adstock ``a_t = x_t + decay * a_{t-1}``.

    Examples
    --------
    >>> adstock(np.array([100.0, 0.0, 0.0]), 0.5).tolist()
    [100.0, 50.0, 25.0]
    """
    out = np.empty(len(x), dtype=float)
    acc = 0.0
    for i, v in enumerate(np.asarray(x, dtype=float)):
        acc = v + decay * acc
        out[i] = acc
    return out


def hill(x: np.ndarray | float, *, half: float, shape: float) -> np.ndarray:
    """Hill saturation ``x^s / (half^s + x^s)`` in [0, 1)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x**shape / (half**shape + x**shape)
