"""The safety screen on its own: the issue's examples, near-misses, and the targets on the
separately written held-out sets (tests/safety/)."""
from __future__ import annotations

import pytest

from bot.safety.model import SafetyModel, load_examples
from bot.safety.patterns import pattern_hit
from bot.safety.screen import SafetyScreen
from scripts.eval_safety import HELDOUT_DIR, HELDOUT_SETS, score

# What the screen reaches on the separately written sets v14 and v15 (docs/safety_report.md); the targets
# are recall 0.98 (NOT met: 0.971, 0.976) and false alarms 0.02 (NOT met: 4.5%, 2.9%): these guard what was reached.
REACHED_RECALL = 0.965
REACHED_FALSE_ALARMS = 0.05


@pytest.fixture(scope="module")
def screen() -> SafetyScreen:
    return SafetyScreen.from_training_file()


@pytest.mark.parametrize("text, category", [
    ("我不想活了", "self_harm"),
    ("活着太累了撑不下去", "self_harm"),
    ("想从楼上跳下去", "self_harm"),
    ("药都买好了", "self_harm"),
    ("我被车撞了，在送外卖的路上，腿上流了好多血", "medical"),
    ("血止不住", "medical"),
    ("人昏过去了", "medical"),
    ("从架子上摔下来动不了", "medical"),
    ("工友被压在下面了", "medical"),
    ("有人触电了", "medical"),
    ("宿舍里煤气中毒了", "medical"),
    ("几十个工友要去堵门", "group_incident"),
    ("明天大家去爬塔吊讨薪", "group_incident"),
    ("我要拿刀去找老板", "violence"),
])
def test_danger_is_seen_with_its_kind(screen, text, category):
    danger = screen.check(text)
    assert danger is not None, text
    assert danger.category == category


@pytest.mark.parametrize("text", [
    "累死了", "饿死了", "笑死我了", "老板气死我了", "没流血", "以前摔过",
    "老板欠我三个月工资", "我想入会", "触电受伤算工伤吗", "你好", "好的", "13912345678",
    # answers to a form's question (the pinyin view once took 说不上来 for 说不出话)
    "说不上来", "说不出来", "记不清了", "不知道",
])
def test_ordinary_talk_is_not_an_alarm(screen, text):
    assert screen.check(text) is None, text


def test_a_button_payload_is_never_screened(screen):
    assert screen.check("/affirm") is None
    assert screen.check("") is None and screen.check("   ") is None


def test_the_training_file_names_only_known_categories(tmp_path):
    bad = tmp_path / "training.yml"
    bad.write_text('messages:\n  - {text: "x", category: sad}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_examples(bad)
    assert load_examples()[0], "the training files load"


@pytest.mark.parametrize("name", [n for n in HELDOUT_SETS if (HELDOUT_DIR / n).exists()])
def test_figures_on_the_separately_written_set_do_not_fall_back(name):
    """Issue 10's targets are recall ≥ 0.98 and false alarms ≤ 2%, NOT met on sets v14 and v15 (first
    looks, docs/safety_report.md); this guards what was reached, so a change that makes the screen deafer
    or noisier fails here."""
    # the screen as served: the pipeline `make test` trained once on the training files (from_files)
    result = score(SafetyScreen(SafetyModel.from_files()), *load_examples(HELDOUT_DIR / name))
    assert result.dangerous >= 150 and result.ordinary >= 150
    assert result.recall >= REACHED_RECALL, result.misses
    assert result.false_alarm_rate <= REACHED_FALSE_ALARMS, result.alarms


def test_the_trained_pipeline_is_saved_once_and_a_foreign_file_is_refused(tmp_path, monkeypatch):
    import skops.io as sio

    from bot.safety import model as safety_model

    # a few examples of each category: the caching is under test, not the figures (a full training
    # and its 80 MB file took half a minute)
    texts, labels = load_examples()
    few = {}
    for text, label in zip(texts, labels):
        if len(few.setdefault(label, [])) < 5:
            few[label].append(text)
    monkeypatch.setattr(safety_model, "load_examples",
                        lambda: ([t for ts in few.values() for t in ts], [c for c, ts in few.items() for _ in ts]))
    first = SafetyModel.from_files(cache_dir=tmp_path)
    [saved] = list(tmp_path.glob("safety-*.skops"))
    calls = []
    monkeypatch.setattr(SafetyModel, "train", classmethod(lambda cls, *a, **k: calls.append(a)))
    again = SafetyModel.from_files(cache_dir=tmp_path)
    assert calls == [] and again.predict(["我不想活了"])[0].category == first.predict(["我不想活了"])[0].category
    # ... served from the plain arrays saved beside it (no pipeline loaded), with the same numbers.
    assert saved.with_suffix(".npz").exists() and again._pipeline is None
    assert again.predict(["我不想活了"])[0].danger == pytest.approx(first.predict(["我不想活了"])[0].danger, abs=1e-12)
    # A file holding anything but scikit-learn's and the screen's own types is not loaded.
    sio.dump({"x": pytest.approx(1)}, saved)
    with pytest.raises(ValueError):
        safety_model._load(saved)


@pytest.mark.parametrize("text", ["我打错字了", "先不换了", "不必了", "免了", "甭管了", "说漏了", "我挂了", "结束对话", "点错了"])
def test_short_replies_are_no_alarm(screen, text):
    """Short replies carry little but particles (了, 吧); those alone are no evidence of danger."""
    assert screen.check(text) is None, (text, screen.check(text))


def test_describing_a_reported_injury_takes_a_pattern_to_alarm(screen):
    """Answering 'how were you hurt' in the injury form, 右手被压了 is the answer; 血止不住 is still danger."""
    assert screen.check("右手被压了", describing=True) is None
    assert screen.check("被机器压了手 现在血止不住", describing=True).category == "medical"
    assert screen.check("我不想活了", describing=True).category == "self_harm"


def test_the_describing_questions_are_the_forms_own():
    from bot.safety.context import asks_for_a_description
    from unionkit import texts

    assert asks_for_a_description(texts.text("utter_ask_wi_how"))
    assert not asks_for_a_description(texts.text("utter_ask_wa_amount")) and not asks_for_a_description(None)


def test_the_sparse_scorer_gives_the_pipelines_own_probabilities():
    """SafetyModel scores a message from the fitted parameters (bot/safety/model.SparseScorer) instead
    of sklearn's transform, which costs time in proportion to the vocabulary: the same numbers."""
    import numpy as np

    model = SafetyModel.from_files()
    texts, _ = load_examples()
    sample = texts[::40] + ["", "wo xiang si le", "想zisha", "OK", "１２３", "！！！", "活著太累了"]
    ours = np.array([model.scorer.proba(t) for t in sample])
    assert np.allclose(ours, model.pipeline.predict_proba(sample), rtol=0, atol=1e-9)


@pytest.mark.parametrize("text, category", [
    ("热死了 不是 真的 有个人中暑倒了 在抽搐", "medical"),             # the hyperbole is another clause's
    ("你好我想问一下工伤怎么申请 算了不问了反正我也不想活了", "self_harm"),  # a rules question never defuses suicide
    ("你好请问怎么申请法律援助 我现在被老板的人关在仓库里", "violence"),      # ... nor what happens now
    ("wo xiang si le", "self_harm"),                                  # pinyin meets 我想死了
])
def test_a_guard_defuses_its_own_clause_only(screen, text, category):
    found = screen.check(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize("text", ["刚才车间停电了，没人触电，已经恢复了", "不想干了，不是不想活，是不想在这个厂干了",
                                  "我没被打，就是老板骂得很难听，能告他吗", "从梯子上下来的时候差点摔了，还好扶住了"])
def test_a_negation_in_the_clause_of_the_hit_defuses_it(screen, text):
    assert screen.check(text) is None


@pytest.mark.parametrize("text", ["她没晕过去，只是手划破了点皮", "我们不会去罢工的，放心吧", "women bu hui qu du lu",
                                  "并没有人中毒，是闻到油漆味"])
def test_a_negation_just_before_an_injury_or_a_protest_defuses_it(screen, text):
    assert screen.check(text) is None, text


def test_a_negation_never_defuses_a_plea_against_violence(screen):
    found = screen.check("不要打我了，他们三个人围着我")
    assert found is not None and found.category == "violence"


@pytest.mark.parametrize("text, category", [
    ("想咨询一下技能培训的事，等等，隔壁有人晕倒了", "medical"),      # the training question came before
    ("听说后天全厂工人都要去堵门", "group_incident"),                 # hearsay of a planned protest is a warning
])
def test_what_follows_a_break_or_a_plan_is_judged_on_its_own(screen, text, category):
    found = screen.check(text)
    assert found is not None and found.category == category, text


@pytest.mark.parametrize("text", ["电视剧里那个人从楼上跳下去了，拍得好假", "《甄嬛传》里皇后被毒死那段",
                                  "新闻里说外省有个工地几十人堵路讨薪"])
def test_a_film_or_the_news_from_elsewhere_is_no_alarm(screen, text):
    assert screen.check(text) is None, text


def test_a_film_with_the_workers_own_words_is_still_screened(screen):
    found = screen.check("看了那部电影里的人跳楼，我现在也想跳下去")
    assert found is not None and found.category == "self_harm"


@pytest.mark.parametrize("text", ["我刚吞了四十多片退烧药", "网上说烧炭多久才会死 有人知道吗"])
def test_an_overdose_by_count_or_a_method_question_is_an_alarm_whatever_the_classifier_says(screen, text):
    found = screen.check(text)
    assert found is not None and found.category == "self_harm" and found.source == "pattern", text


def test_a_rules_question_never_defuses_suicide_across_clauses(screen):
    found = screen.check("请问 要是我没了 欠我的工资谁去领 我都安排好了")
    assert found is not None and found.category == "self_harm"


@pytest.mark.parametrize("text", ["两片布洛芬吃下去牙不疼了", "这个月给孩子交学费 钱包大出血", "安眠药可以长期吃吗 医生开的"])
def test_everyday_medicine_and_money_talk_is_no_alarm(screen, text):
    assert screen.check(text) is None, text


@pytest.mark.parametrize("text", ["救命，这个报销单到底怎么填", "怎么防止煤气中毒", "罢工和集体协商有什么区别"])
def test_a_cry_over_a_form_or_a_question_of_prevention_is_no_alarm(screen, text):
    assert screen.check(text) is None, text


@pytest.mark.parametrize("text, category", [
    ("救命 快来人 他倒在地上了", "medical"),
    ("我们被困在着火的仓库里", "medical"),
    ("我们几个在做横幅，明天挂到售楼处", "group_incident"),
    ("快递站的人集体不干了", "group_incident"),
])
def test_rarer_wordings_of_danger_are_seen(screen, text, category):
    found = screen.check(text)
    assert found is not None and found.category == category, text


@pytest.mark.parametrize("text, category", [
    ("整个车间的人都停工了，要老板出来说话", "group_incident"),
    ("我们三十几个人坐在前台不走，不结工资不离开", "group_incident"),
    ("如果月底还不发，大家就全部撂挑子", "group_incident"),
    ("我吃了好多颗安定，现在眼睛睁不开", "self_harm"),
    ("他再动我家里人我就宰了他", "violence"),
])
def test_a_whole_group_stopping_work_and_other_plain_wordings_are_seen(screen, text, category):
    found = screen.check(text)
    assert found is not None and found.category == category, text


def test_only_words_that_are_also_idiom_ask_the_classifier_for_a_second_opinion():
    assert pattern_hit("我的身后事就拜托工会了").idiomatic is False
    assert pattern_hit("这一单亏得我要吐血").category is None  # a false friend, taken out before matching
    assert pattern_hit("他一直在吐血").idiomatic is True


def test_a_suicide_hit_on_unidiomatic_words_is_an_alarm_whatever_the_classifier_says(screen, monkeypatch):
    from bot.safety.model import Prediction

    monkeypatch.setattr(screen.model, "predict", lambda texts: [Prediction("self_harm", 0.01) for _ in texts])
    found = screen.check("遗书放在宿舍床头了")
    assert found is not None and found.source == "pattern"
    assert screen.check("累得要吐血了") is None  # idiom-prone words still ask the classifier


@pytest.mark.parametrize("text", ["救命啊 劳动仲裁申请书怎么写", "我不是想自杀，我想问问心理咨询怎么预约",
                                  "我家猫老了，快不行了", "吃了那种野果会中毒，大家都别吃"])
def test_a_cry_over_paperwork_a_denial_or_a_warning_is_no_alarm(screen, text):
    assert screen.check(text) is None, text
