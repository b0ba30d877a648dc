"""The seller's catalog: courses, live classes, e-books, columns, bootcamps, memberships,
paid communities and bundles, with bilingual titles and latent quality.

Examples
--------
>>> import numpy as np
>>> from kpgrowth.simulate.sink import Clock
>>> cat = make_catalog(np.random.default_rng(0), Clock("2026-01-01", 30))
>>> cat.n > 30, sorted(set(cat.kinds))[:3]
(True, ['bootcamp', 'bundle', 'column'])
>>> bool(np.allclose(cat.tvec.sum(1), 1))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import DAY, ts_array

_TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "course": (("{w}从入门到精通", "{W}: From Zero to Pro"), ("{zh}系统课：{w}实战", "{EN} Masterclass: {W} in Practice")),
    "bootcamp": (("21天{w}训练营", "21-Day {W} Bootcamp"), ("{w}打卡营·第{k}期", "{W} Challenge Camp, Cohort {k}")),
    "live": (("{w}直播公开课", "Live Class: {W}"), ("今晚8点｜{w}答疑直播", "Tonight 8pm: {W} Live Q&A")),
    "ebook": (("《{w}指南》电子书", "The {W} Handbook (e-book)"),),
    "column": (("{w}30讲", "{W} in 30 Lessons"), ("{zh}专栏：{w}", "{EN} Column: {W}")),
    "membership": (("{zh}年度会员", "{EN} Annual Membership"), ("{zh}VIP月卡", "{EN} VIP Monthly Pass")),
    "community": (("{zh}知识星球·{w}圈", "{W} Circle (Knowledge Planet)"),),
    "bundle": (("{zh}进阶套餐", "{EN} Advanced Bundle"), ("{w}全家桶", "{W} All-in-One Bundle")),
}
_DESC = ("适合{aud}：{n}节内容带你掌握{w}和{w2}，学完就能用。",
         "从{w}到{w2}，老师手把手带练，附赠学习资料和答疑群。",
         "已有{k}000+同学加入，系统讲解{w}，案例+作业+点评。")
_DESC_EN = ("For {aud_en}: {n} lessons on {W} and {W2} you can apply right away.",
            "Hands-on {W} with worksheets, Q&A group and feedback.")
_AUD = (("职场新人", "early-career professionals"), ("宝妈", "busy parents"), ("大学生", "students"),
        ("零基础小白", "complete beginners"), ("想做副业的人", "side-hustlers"))

KIND_PLAN = ("course", "bootcamp", "live", "ebook", "column")


@dataclass
class Catalog:
    """Arrays describing every product (index = product number)."""

    n: int
    ids: list[str]
    ids_arr: pa.Array
    kinds: list[str]
    topic: np.ndarray
    tvec: np.ndarray
    quality: np.ndarray
    price: np.ndarray
    lessons: np.ndarray
    components: list[list[int]]
    created_us: np.ndarray
    title: list[str]
    title_en: list[str]
    description: list[str]

    def of_kind(self, *kinds: str) -> np.ndarray:
        """Indices of products of the given kinds."""
        return np.array([i for i, k in enumerate(self.kinds) if k in kinds], dtype=np.int64)


def make_catalog(rng: np.random.Generator, clock: object) -> Catalog:
    """Draw the catalog (about 50 products over the eight topics)."""
    kinds: list[str] = []
    topics: list[int] = []
    for k in range(P.K):
        for kind in KIND_PLAN:
            if kind in ("live", "ebook", "column") and rng.random() < 0.3:
                continue
            kinds.append(kind)
            topics.append(k)
    for k in rng.choice(P.K, 3, replace=False):
        kinds.append("community"); topics.append(int(k))
    for k in rng.choice(P.K, 2, replace=False):
        kinds.append("membership"); topics.append(int(k))
    n_base = len(kinds)
    components: list[list[int]] = [[] for _ in range(n_base)]
    for k in rng.choice(P.K, 4, replace=False):
        comp = [i for i in range(n_base) if topics[i] == k and kinds[i] in ("course", "ebook", "column", "live")]
        if len(comp) >= 2:
            kinds.append("bundle"); topics.append(int(k)); components.append(comp[:3])
    n = len(kinds)
    topic = np.array(topics, dtype=np.int64)
    tvec = np.full((n, P.K), 0.02)
    tvec[np.arange(n), topic] = 1.0
    second = (topic + rng.integers(1, P.K, n)) % P.K
    tvec[np.arange(n), second] += rng.uniform(0.0, 0.35, n)
    tvec /= tvec.sum(1, keepdims=True)
    quality = rng.beta(4.0, 2.5, n)
    price = np.array([P.PRICE_LADDER[k][rng.integers(0, len(P.PRICE_LADDER[k]))] for k in kinds])
    for i, comp in enumerate(components):
        if comp:
            price[i] = max(9.9, np.floor(0.7 * price[comp].sum()) - 0.1)
            quality[i] = quality[comp].mean()
    lessons = np.array([P.LESSONS[k] for k in kinds], dtype=np.int64)
    start = clock.start_us
    created = start - rng.integers(10, 400, n) * DAY
    ids = [f"p{i + 1:04d}" for i in range(n)]
    title, title_en, desc = [], [], []
    for i in range(n):
        t = P.TOPICS[topic[i]]
        j = int(rng.integers(0, len(t.words_zh)))
        j2 = (j + 1 + int(rng.integers(0, len(t.words_zh) - 1))) % len(t.words_zh)
        zh_t, en_t = _TITLES[kinds[i]][int(rng.integers(0, len(_TITLES[kinds[i]])))]
        fmt = {"w": t.words_zh[j], "W": t.words_en[j].title() if t.words_en[j].islower() else t.words_en[j],
                   "zh": t.zh, "EN": t.en, "k": int(rng.integers(2, 9))}
        title.append(zh_t.format(**fmt))
        title_en.append(en_t.format(**fmt))
        aud = _AUD[int(rng.integers(0, len(_AUD)))]
        d = _DESC[int(rng.integers(0, len(_DESC)))].format(
            aud=aud[0], n=max(1, int(lessons[i])), w=t.words_zh[j], w2=t.words_zh[j2], k=fmt["k"])
        d_en = _DESC_EN[int(rng.integers(0, len(_DESC_EN)))].format(
            aud_en=aud[1], n=max(1, int(lessons[i])), W=t.words_en[j], W2=t.words_en[j2])
        desc.append(d + " " + d_en)
    return Catalog(n, ids, pa.array(ids), kinds, topic, tvec, quality, price, lessons,
                   components, created, title, title_en, desc)


def products_table(cat: Catalog) -> pa.Table:
    """The canonical ``products`` rows."""
    tags = [f"{P.TOPICS[t].zh},{P.TOPICS[t].key},{k}" for t, k in zip(cat.topic, cat.kinds)]
    return pa.table({
        "product_id": cat.ids_arr, "kind": pa.array(cat.kinds), "title": pa.array(cat.title),
        "title_en": pa.array(cat.title_en), "description": pa.array(cat.description),
        "tags": pa.array(tags), "category": pa.array([P.TOPICS[t].zh for t in cat.topic]),
        "components": pa.array([",".join(cat.ids[c] for c in comp) or None for comp in cat.components],
                               pa.string()),
        "price": pa.array([f"{p:.2f}" for p in cat.price]).cast(pa.decimal128(18, 2)),
        "currency": pa.array(["CNY"] * cat.n), "created_at": ts_array(cat.created_us),
    })


def truth_products_table(cat: Catalog) -> pa.Table:
    """The ``truth_products`` rows."""
    cols: dict[str, object] = {"product_id": cat.ids_arr, "kind": pa.array(cat.kinds),
                               "topic": pa.array([P.TOPICS[t].key for t in cat.topic])}
    for k, t in enumerate(P.TOPICS):
        cols[f"topic_{t.key}"] = pa.array(cat.tvec[:, k])
    cols["quality"] = pa.array(cat.quality)
    cols["lessons"] = pa.array(cat.lessons)
    return pa.table(cols)
