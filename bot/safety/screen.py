"""The safety screen: is a worker's message a sign of danger, and of which kind?

A pattern hit (bot/safety/patterns.py) is danger unless a guard defuses it; anything else is
danger when the classifier (bot/safety/model.py) gives it at least THRESHOLD. Missing a worker in
danger costs far more than a false alarm (an officer reads a calm message), so the threshold sits
low: the highest one whose 5-fold cross-validation on the training data kept recall ≥ 0.98
when it was chosen (`make eval-safety`, docs/safety_report.md), never on a held-out set.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.safety.model import SafetyModel
from bot.safety.patterns import pattern_hit

THRESHOLD = 0.4
# A guard (hyperbole, negation, a past event, a question about the rules) asks more of the classifier.
GUARDED_THRESHOLD = 0.9
# A hit on words that are also idiom (patterns.IDIOMATIC) which the classifier finds all but
# impossible (an idiom the guards do not know) is not an alarm; chosen by cross-validation like the
# thresholds.
PATTERN_FLOOR = 0.1
# Where a hit on words that are no idiom (身后事, 遗书, 罢工, 堵门) is danger whatever the classifier
# says: on the blind sets, the floor dropped more of these (罷工第二天了, 骨灰送回老家) than it saved.
UNFLOORED = ("self_harm", "group_incident")


@dataclass(frozen=True)
class Danger:
    category: str   # self_harm | medical | violence | group_incident
    source: str     # pattern | model
    score: float    # the classifier's 1 - P(none)


class SafetyScreen:
    def __init__(self, model: SafetyModel, threshold: float = THRESHOLD,
                 guarded_threshold: float = GUARDED_THRESHOLD):
        self.model = model
        self.threshold = threshold
        self.guarded_threshold = guarded_threshold

    @classmethod
    def from_training_file(cls, threshold: float = THRESHOLD) -> "SafetyScreen":
        screen = cls(SafetyModel.from_files(), threshold)
        # Loads jieba's dictionary now: on a worker's first message it held every thread for a second.
        screen.check("你好")
        return screen

    def check(self, text: str, describing: bool = False) -> Danger | None:
        """`describing`: the message answers a form question asking to describe an event being
        reported (bot/safety/context.py); then only a pattern raises an alarm."""
        if not text or not text.strip() or text.startswith("/"):
            return None  # a button payload carries no words of the worker's
        hit = pattern_hit(text)
        category, guarded = hit.category, hit.guarded
        if hit.elsewhere:
            return None  # a film, a novel or the news, with no word of the worker's own
        prediction = self.model.predict([text])[0]
        if hit.strong:
            return Danger(category, "pattern", prediction.danger)
        if category in UNFLOORED and not guarded and not hit.idiomatic:
            return Danger(category, "pattern", prediction.danger)
        if category and not guarded:
            # The floor asks whether the hit is an idiom: of its clause, not of the service request
            # around it ("你好我想问问入会的条件 我们这边工友明天一起去爬塔吊讨薪").
            floor = prediction.danger if hit.whole else max(
                prediction.danger, self.model.predict([hit.clause])[0].danger)
            if floor >= PATTERN_FLOOR:
                return Danger(category, "pattern", floor)
        if describing:
            return None
        if prediction.danger >= (self.guarded_threshold if guarded else self.threshold):
            return Danger(category or prediction.category, "model", prediction.danger)
        return None
