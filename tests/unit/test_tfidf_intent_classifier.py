"""The project's intent classifier (rasa_components/tfidf_intent_classifier.py) inside Rasa's own
graph machinery: trains on tokenised messages, ranks intents, survives a save and load, and refuses
a saved file that holds anything but scikit-learn / NumPy / SciPy objects."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.tfidf_intent_classifier import TfidfIntentClassifier

EXAMPLES = {
    "wage_arrears": ["老板欠我三个月工资", "工资一直拖着不发", "包工头跑了工钱没结", "加班费一分没给"],
    "greet": ["你好", "您好呀", "在吗", "早上好"],
    "thank": ["谢谢", "太感谢了", "多谢你们", "谢啦"],
}


@pytest.fixture()
def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def _context():
    return ExecutionContext(GraphSchema({}), node_name="classifier")


def _tokenised(texts_by_intent: dict) -> TrainingData:
    tokenizer = JiebaTokenizer(JiebaTokenizer.get_default_config(), None, None)
    messages = [Message.build(text=t, intent=i) for i, texts in texts_by_intent.items() for t in texts]
    data = TrainingData(messages)
    tokenizer.process_training_data(data)
    return data


def _ask(component: TfidfIntentClassifier, text: str) -> Message:
    message = _tokenised({"x": [text]}).training_examples[0]
    message.data.pop("intent")
    component.process([message])
    return message


def test_trains_ranks_and_reloads(storage):
    resource = Resource("classifier")
    component = TfidfIntentClassifier.create(TfidfIntentClassifier.get_default_config(), storage, resource, _context())
    component.train(_tokenised(EXAMPLES))

    message = _ask(component, "老板拖欠工资两个月了")
    assert message.get("intent")["name"] == "wage_arrears"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "wage_arrears"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])

    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage, resource, _context())
    again = _ask(loaded, "老板拖欠工资两个月了")
    assert again.get("intent") == message.get("intent")
    assert _ask(loaded, "谢谢你们").get("intent")["name"] == "thank"


def test_refuses_a_saved_file_with_foreign_objects(storage, caplog):
    import skops.io as sio

    resource = Resource("classifier")
    with storage.write_to(resource) as model_dir:
        # collections.OrderedDict is harmless, but it is not what this component saves.
        from collections import OrderedDict
        sio.dump({"words": OrderedDict(), "chars": None, "clf": None}, model_dir / "classifier.skops")
    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage, resource, _context())
    assert loaded.clf is None
    assert "not loaded" in caplog.text
    message = _ask(loaded, "你好")
    assert message.get("intent") is None  # it classifies nothing rather than run an unknown object


def test_a_refined_intent_has_its_familys_confidence(storage):
    """join_union_question and join_union share one confidence for the fallback: the best member
    leads with the family's sum, its sibling follows after every family."""
    clf = TfidfIntentClassifier(TfidfIntentClassifier.get_default_config(), storage, Resource("c"))
    ranking = [{"name": "join_union_question", "confidence": 0.4}, {"name": "faq", "confidence": 0.35},
               {"name": "join_union", "confidence": 0.2}, {"name": "greet", "confidence": 0.05}]
    assert clf._by_family(ranking) == [
        {"name": "join_union_question", "confidence": pytest.approx(0.6)}, {"name": "faq", "confidence": 0.35},
        {"name": "greet", "confidence": 0.05}, {"name": "join_union", "confidence": 0.2}]


def test_family_confidence_on_a_trained_model(storage):
    data = _tokenised(dict(EXAMPLES, wage_arrears_question=["欠薪找谁投诉", "拖欠工资去哪告", "讨薪要什么证据",
                                                            "欠工资能找工会吗"]))
    clf = TfidfIntentClassifier.create(TfidfIntentClassifier.get_default_config(), storage, Resource("f"),
                                       _context())
    clf.train(data)
    [message] = _tokenised({"wage_arrears_question": ["拖欠工资找谁投诉"]}).training_examples
    clf.process([message])
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == "wage_arrears_question"
    assert [r["name"] for r in ranking].index("wage_arrears") == len(ranking) - 1
    assert sum(r["confidence"] for r in ranking[:-1]) == pytest.approx(1.0)
