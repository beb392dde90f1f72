"""FAQ retrieval on the starting FAQ: held-out accuracy, decisions, the Chinese text handling."""
from __future__ import annotations

from unionkit.faq.retrieval import AMBIGUOUS_RATIO, ANSWER_AT, SUGGEST_AT, Candidate, FaqIndex
from bot.faq.seed import seed_entries
from unionkit.faq.text import normalize, terms
from scripts.eval_faq import evaluate


def seed_index() -> FaqIndex:
    return FaqIndex([Candidate(i + 1, e["question"], tuple(e["variants"]), e["answer"], e["category"])
                     for i, e in enumerate(seed_entries())])


def test_starting_faq_covers_the_topics_of_the_issue():
    entries = seed_entries()
    assert len(entries) >= 40
    text = " ".join(e["question"] + e["answer"] for e in entries)
    for topic in ("0.5%", "10 元", "会员卡", "12351", "职工服务中心", "法律援助", "医疗互助", "托管班", "驿站",
                  "劳动模范", "会员关系"):
        assert topic in text, topic
    # Short answers that end with what the worker can do next, and fit a WeChat reply.
    assert all(len(e["answer"]) <= 500 for e in entries)


def test_held_out_top1_accuracy_reaches_the_target():
    result = evaluate()
    assert result["questions"] >= 80
    assert result["top1"] >= 0.9, result["misses"]
    # Nothing unrelated is answered from the FAQ.
    assert result["unrelated"].get("answer", 0) == 0


def test_decisions_answer_suggest_and_fall_back():
    index = seed_index()
    answer = index.decide("会费一个月要交多少钱")
    assert answer.kind == "answer" and answer.best.score >= ANSWER_AT
    assert "0.5%" in answer.best.entry.answer
    # One word that fits several entries about equally: a choice, not a guess.
    vague = index.decide("会员")
    assert vague.kind == "suggest" and 1 < len(vague.matches) <= 3
    assert all(m.score >= SUGGEST_AT for m in vague.matches)
    assert vague.matches[1].score >= AMBIGUOUS_RATIO * vague.matches[0].score
    assert index.decide("帮我订一张去北京的火车票").kind == "none"
    assert index.decide("？？！！").kind == "none"


def test_spoken_forms_and_typos_find_the_same_entry():
    index = seed_index()
    written = index.search("会费怎么交")[0].entry.question
    assert index.search("会费咋交")[0].entry.question == written
    assert normalize("公会ＡＢＣ１２") == "工会abc12"
    assert "#工会" in terms("公会是干嘛的")


def test_an_empty_faq_matches_nothing():
    assert FaqIndex([]).decide("会费多少").kind == "none"


def test_the_live_tests_unmatched_questions_match_nothing():
    from tests.integration.test_faq_live import UNMATCHED

    index = seed_index()
    assert all(index.decide(text).kind == "none" for text in UNMATCHED)
