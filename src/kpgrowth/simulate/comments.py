"""Comments in Chinese, English and mixed, built from phrase banks with known sentiment and aspect;
duplicate spam comments with WeChat ids and links; the seller's replies; mentions.

The true sentiment of an organic comment is drawn from a softmax whose logits
depend on the quality of what the post promotes (``params.SENTIMENT_LOGITS``); the
text is then assembled from phrases of that sentiment and aspect, including
negations (不推荐, 没有想象中好), hedges (一般般) and light sarcasm.

Examples
--------
>>> import numpy as np
>>> p = sentiment_probs(np.array([0.1, 0.9]))
>>> bool(p[0, 0] > p[1, 0]) and bool(np.allclose(p.sum(1), 1))
True
>>> spam_text(7).count("7") >= 0
True
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import US, ids, take, ts_array
from kpgrowth.simulate.world import World

ASPECTS = ("price", "content", "teacher", "service", "platform")
ASPECT_P = np.array([0.22, 0.34, 0.2, 0.1, 0.14])

# BANK[language][sentiment][aspect] -> phrases; sentiment -1, 0, 1
BANK: dict[str, dict[int, dict[str, tuple[str, ...]]]] = {
    "zh": {
        1: {"price": ("性价比很高，这个价格真的值", "买了不亏，比线下班便宜太多", "活动价入的，超值", "九块九还有这质量？捡到宝了"),
            "content": ("干货满满，已经收藏了", "{w}讲得特别系统，终于入门了", "内容很实用，第二天就用上了", "案例很多，比看书强"),
            "teacher": ("老师讲得很清楚，节奏刚好", "老师太有耐心了，答疑很细", "喜欢老师的风格，不啰嗦", "跟着老师学{w}，进步很明显"),
            "service": ("助教回复很快，点赞", "客服态度很好，问题当天解决", "群里氛围很好，每天打卡"),
            "platform": ("回放随时看，很方便", "App很流畅，倍速功能好评", "手机电脑都能看，体验不错")},
        0: {"price": ("请问还有优惠吗？", "会员能打折吗", "这个价格包含资料吗"),
            "content": ("一般般吧，有些地方太基础了", "还行，适合零基础", "不知道适不适合我，有试听吗", "{w}这部分什么时候更新？"),
            "teacher": ("老师是哪位？", "还没开始学，先mark", "老师周几直播？"),
            "service": ("怎么开发票？", "买了之后在哪里看？", "可以退吗？先问问"),
            "platform": ("电脑端怎么登录？", "有没有音频版", "能下载吗")},
        -1: {"price": ("太贵了，不值这个价", "价格虚高，不推荐", "割韭菜吧，内容撑不起这个价", "早买早后悔，降价了"),
             "content": ("内容很水，全是网上能搜到的", "没有想象中好，{w}讲得太浅", "不推荐，干货很少", "听了三节就放弃了，太散"),
             "teacher": ("老师照本宣科，没意思", "老师一直在卖课，烦", "讲得太快了，根本跟不上", "不是很满意，老师不回答问题"),
             "service": ("客服一直不回，差评", "说好的答疑群呢？人都找不到", "退款流程太麻烦了"),
             "platform": ("视频老是卡，体验很差", "App闪退好几次", "回放居然有有效期，坑")},
    },
    "en": {
        1: {"price": ("worth every penny", "great value tbh", "cheaper than any bootcamp I've seen"),
            "content": ("legit the best {W} course out there", "so much useful stuff, saved it", "finally {W} clicked for me"),
            "teacher": ("the teacher explains things so clearly", "love the instructor's vibe", "super patient with questions"),
            "service": ("support replied within minutes", "the community is so helpful"),
            "platform": ("the app works great, love the replays", "smooth on phone and laptop")},
        0: {"price": ("any discount codes?", "is there a student price?"),
            "content": ("it's ok, kinda basic", "meh, decent for beginners", "when is the next {W} module?"),
            "teacher": ("who's teaching this one?", "is the live session recorded?"),
            "service": ("how do I get an invoice?", "can I get a refund if it's not for me?"),
            "platform": ("does it work on iPad?", "can I download the videos?")},
        -1: {"price": ("total waste of money", "way overpriced, not worth it tbh", "$$$ for stuff you can find free on YouTube"),
             "content": ("mid. nothing you can't google", "not worth it, super shallow on {W}", "didn't learn anything new"),
             "teacher": ("the instructor just reads the slides", "all he does is upsell", "too fast, couldn't follow"),
             "service": ("support never answered me", "refund process is a nightmare"),
             "platform": ("videos keep buffering", "app crashes all the time")},
    },
    "mixed": {
        1: {"price": ("这个price真的很香", "性价比yyds，worth it"),
            "content": ("这个course真的绝了", "{w}讲得很清楚，super useful"),
            "teacher": ("老师太nice了", "teacher讲得好清楚"),
            "service": ("助教reply超快", "community氛围很好"),
            "platform": ("app很好用，replay随时看", "体验很smooth")},
        0: {"price": ("有discount吗？", "price包含资料吗"),
            "content": ("还行吧，比较basic", "{w}部分啥时候update？"),
            "teacher": ("老师是谁？有intro吗", "live有回放吗"),
            "service": ("invoice怎么开", "refund政策是啥"),
            "platform": ("iPad能看吗", "能download吗")},
        -1: {"price": ("price有点离谱，not worth it", "太贵了，真的no"),
             "content": ("内容很水，total waste", "{w}讲得太浅了，disappointed"),
             "teacher": ("老师一直在sell课", "老师讲得太快，完全follow不了"),
             "service": ("客服never回复", "refund超级麻烦"),
             "platform": ("video一直卡", "app老是crash")},
    },
}
SARCASM = {"zh": ("真是“干货”满满呢，全是广告", "好一个割韭菜，学到了学到了", "太棒了，花两千块学会了百度", "这么贵的课讲这个？佩服佩服"),
           "en": ("wow, $999 to learn how to google. genius", "great course if you love ads lol"),
           "mixed": ("好一个premium课程，学会了google", "真·干货，全是ads")}
OPENERS = {"zh": ("", "", "说实话，", "刚学完第三课，", "作为宝妈，", "买了一周了，", "路过，"),
           "en": ("", "", "honestly ", "ngl ", "update: ", "3 weeks in: "),
           "mixed": ("", "", "说实话 ", "honestly ")}
EMOJI = {1: ("", "👍", "❤️", "🔥", "👏", "😍", "💯", "👍👍"), 0: ("", "", "🤔", "😂", "🙏"),
         -1: ("", "😅", "🙄", "👎", "😤", "💢")}
REPLY_SENTIMENT = {"zh": (1, 0, 0, 1), "en": (1, 0, 1)}
REPLIES = {"zh": ("感谢支持，继续加油～", "已私信您，请查收🙏", "抱歉给您带来不好的体验，客服会尽快联系您", "谢谢反馈，我们会改进的"),
           "en": ("Thanks so much! 🙏", "Sorry about that — we've sent you a DM.", "Thanks for the feedback!")}
_SPAM = ("加V：{wx} 免费领取{w}全套资料", "私信领取0元{w}课程👉 {url}", "想学{w}的看我主页，{wx}备注888",
         "兼职日结300+，加微信{wx}", "Free {W} course 👉 {url} DM me", "宝子们，{w}资料包在这 {url} 加v {wx}")


def sentiment_probs(quality: np.ndarray) -> np.ndarray:
    """(n, 3) true probabilities of negative, neutral, positive given quality in 0..1."""
    q = np.asarray(quality, dtype=float)[:, None] - 0.5
    logits = np.hstack([a + b * q for a, b in (P.SENTIMENT_LOGITS[k] for k in ("neg", "neu", "pos"))])
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def spam_text(seed: int) -> str:
    """The spam text of a spam burst (the same seed gives the same text)."""
    r = np.random.default_rng(seed)
    t = P.TOPICS[int(r.integers(0, P.K))]
    wx = "".join(r.choice(list("abcdefghjkmnpqrstuvwxyz"), 2)) + str(int(r.integers(1000, 99999)))
    url = "http://t.cn/A6" + "".join(r.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"), 5))
    return _SPAM[int(r.integers(0, len(_SPAM)))].format(wx=wx, url=url, w=t.words_zh[0], W=t.words_en[0])


def build_comments(w: World) -> tuple[pa.Table, pa.Table, pa.Table]:
    """``comments``, ``truth_comments`` and ``edges`` (reply, mention) from the comment requests."""
    rng = w.rng(50)
    posts = w.acc["_posts"][0]
    parts = w.get("comment_req")
    cat = lambda k: np.concatenate([x[k] for x in parts]) if parts else np.empty(0, np.int64)
    user, post, ts, kind = cat("user"), cat("post"), cat("ts"), cat("kind")
    keep = (ts < w.clock.end_us) & (ts >= w.clock.start_us)
    user, post, ts, kind = user[keep], post[keep], ts[keep], kind[keep]
    n = len(user)
    plat = np.array(P.SIM_PLATFORMS)[posts.platform[post]]
    prod = posts.product[post]
    quality = np.where(prod >= 0, w.cat.quality[np.maximum(prod, 0)], posts.quality[post])
    probs = sentiment_probs(quality)
    sent = (probs.cumsum(1) < rng.random((n, 1))).sum(1) - 1
    abroad = np.isin(plat, ("tiktok", "instagram"))
    lang_u = rng.random(n)
    lang = np.where(abroad, np.where(lang_u < 0.8, "en", np.where(lang_u < 0.95, "mixed", "zh")),
                    np.where(lang_u < 0.85, "zh", np.where(lang_u < 0.95, "mixed", "en")))
    aspect = np.array(ASPECTS)[rng.choice(len(ASPECTS), n, p=ASPECT_P)]
    sarcasm = (sent == -1) & (rng.random(n) < 0.15)
    r_phrase, r_open, r_emoji, r_score = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    topic = posts.topic[post]
    texts: list[str] = []
    for i in range(n):
        if kind[i] > 0:
            texts.append(spam_text(int(kind[i])))
            continue
        lg = str(lang[i])
        if sarcasm[i]:
            bank = SARCASM[lg]
        else:
            bank = BANK[lg][int(sent[i])][aspect[i]]
        t = P.TOPICS[topic[i]]
        body = bank[int(r_phrase[i] * len(bank))].format(w=t.words_zh[i % 5], W=t.words_en[i % 5])
        opener = OPENERS[lg][int(r_open[i] * len(OPENERS[lg]))]
        emo = EMOJI[int(sent[i])][int(r_emoji[i] * len(EMOJI[int(sent[i])]))]
        if sarcasm[i]:
            emo = "😅" if r_emoji[i] < 0.5 else "🙂"
        texts.append(opener + body + emo)
    spam = kind > 0
    score = np.where(sent == 0, (r_score - 0.5) * 0.4, sent * (0.4 + 0.6 * r_score))
    sent = np.where(spam, 0, sent)
    score = np.where(spam, 0.0, score)
    aspect = np.where(spam | ((sent == 0) & (r_score < 0.3)), "none", aspect)
    lang = np.where(spam, np.where(np.char.find(np.array(texts, dtype=str), "Free") >= 0, "en", "zh"), lang)
    order = np.argsort(ts, kind="stable")
    # seller replies to some organic comments (more often to negative ones)
    org = np.nonzero(~spam)[0]
    rep = org[rng.random(len(org)) < np.where(sent[org] == -1, 0.3, 0.08)]
    sellers = w.graph.sellers[posts.platform[post[rep]]]
    r_ts = ts[rep] + rng.integers(10 * 60 * US, 12 * 3600 * US, len(rep))
    r_lang = np.where(lang[rep] == "en", "en", "zh")
    r_pick = rng.integers(0, 12, len(rep)) % np.where(r_lang == "en", 3, 4)
    r_text = [REPLIES[lg][int(k)] for lg, k in zip(r_lang, r_pick)]
    r_sent = np.array([REPLY_SENTIMENT[lg][int(k)] for lg, k in zip(r_lang, r_pick)], dtype=np.int64)
    w.sink.add("comment", r_ts, sellers, platform=posts.platform[post[rep]], post=post[rep])
    # assemble: originals in time order, then replies
    cid_orig = np.empty(n, np.int64)
    cid_orig[order] = np.arange(n)
    all_user = np.concatenate([user[order], sellers])
    all_post = np.concatenate([post[order], post[rep]])
    all_ts = np.concatenate([ts[order], r_ts])
    all_text = [texts[i] for i in order] + r_text
    parent = np.concatenate([np.full(n, -1), cid_orig[rep]])
    m = len(all_user)
    cids = ids("cmt", 1, m, 9)
    likes = rng.poisson(np.concatenate([np.where(spam[order], 0.05, 0.4 + 2.0 * (sent[order] == 1)),
                                        np.full(len(rep), 1.0)]))
    keep = all_ts < w.clock.end_us
    comments = pa.table({
        "comment_id": cids, "ts": ts_array(all_ts), "user_key": take(w.pop.keys_arr, all_user),
        "post_id": take(posts.ids, all_post), "platform": take(pa.array(P.SIM_PLATFORMS), posts.platform[all_post]),
        "text": pa.array(all_text, pa.string()), "parent_id": take(cids, parent),
        "likes": pa.array(likes.astype(np.int64)),
    }).filter(pa.array(keep))
    probs_all = np.vstack([probs[order], np.eye(3)[r_sent + 1]])
    truth = pa.table({
        "comment_id": cids,
        "sentiment": pa.array(np.concatenate([sent[order], r_sent]).astype(np.int64)),
        "score": pa.array(np.concatenate([score[order], 0.5 * r_sent])),
        "aspect": pa.array(np.concatenate([aspect[order], np.full(len(rep), "service")])),
        "language": pa.array(np.concatenate([lang[order], r_lang])),
        "kind": pa.array(np.concatenate([np.where(spam[order], "spam", "organic"), np.full(len(rep), "reply")])),
        "sarcasm": pa.array(np.concatenate([sarcasm[order], np.zeros(len(rep), bool)])),
        "p_negative": pa.array(probs_all[:, 0]), "p_neutral": pa.array(probs_all[:, 1]),
        "p_positive": pa.array(probs_all[:, 2]),
    }).filter(pa.array(keep))
    # edges: replies (seller -> commenter) and mentions of the post's author
    men = org[rng.random(len(org)) < 0.05]
    e_src = np.concatenate([sellers, user[men]])
    e_dst = np.concatenate([user[rep], posts.author[post[men]]])
    e_post = np.concatenate([post[rep], post[men]])
    e_ts = np.concatenate([r_ts, ts[men]])
    e_kind = np.concatenate([np.full(len(rep), "reply"), np.full(len(men), "mention")])
    ok = (e_ts < w.clock.end_us) & (e_src != e_dst)
    key = (e_src * w.pop.n + e_dst) * (posts.n + 1) + e_post
    key = np.where(e_kind == "reply", key * 2, key * 2 + 1)
    _, first = np.unique(np.where(ok, key, -1), return_index=True)
    first = np.sort(first[ok[first]])
    edges = pa.table({
        "src": take(w.pop.keys_arr, e_src[first]), "dst": take(w.pop.keys_arr, e_dst[first]),
        "kind": pa.array(e_kind[first]), "platform": take(pa.array(P.SIM_PLATFORMS), posts.platform[e_post[first]]),
        "post_id": take(posts.ids, e_post[first]), "ts": ts_array(e_ts[first]),
        "weight": pa.array(np.ones(len(first))),
    })
    return comments, truth, edges
