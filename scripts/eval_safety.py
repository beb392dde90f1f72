"""Measures the safety screen (bot/safety/) and writes docs/safety_report.md.

1. 5-fold cross-validation on the training data (bot/safety/training.yml), for a range of
   thresholds: this is what the threshold in bot/safety/screen.py is chosen on.
2. The held-out sets (tests/safety/heldout*.yml), each written by someone who saw neither the
   training data nor the code: recall of dangerous messages, false alarms on ordinary ones, the
   category given, and every miss and false alarm. A set that was looked at to choose anything
   is moved into the training data and a fresh one written (HISTORY keeps what each measured).

    .venv/bin/python -m scripts.eval_safety --report docs/safety_report.md
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from bot.safety.model import NONE, SafetyModel, load_examples
from bot.safety.patterns import CATEGORIES
from bot.safety.screen import GUARDED_THRESHOLD, THRESHOLD, SafetyScreen

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_SETS = ("heldout_v16.yml", "heldout_v17.yml")
# Sets that were held out, then used to choose the guards and settings, then moved into the
# training data (bot/safety/training_used_testset_*.yml): what each measured when it was used.
HISTORY = (
    ("heldout.yml (450)", "first run, char n-grams only, threshold 0.5", "0.996", "12.8%"),
    ("heldout.yml", "guards, words + chars, more training data, thresholds 0.6 / 0.9", "0.996", "0.9%"),
    ("heldout_fresh.yml (420)", "the same, first look", "1.000", "7.5%"),
    ("heldout_fresh.yml", "more guards; unweighted classes, C=30, thresholds 0.5 / 0.9", "0.995", "1.9%"),
    ("heldout_final.yml (480)", "the same, first look", "0.972", "6.0%"),
    ("heldout_v4.yml (497)", "all four sets above in the training data, first look", "0.980", "4.1%"),
    ("heldout_v5.yml (465)", "v4 in the training data too, threshold 0.4, pattern floor 0.1, first look", "0.991",
     "3.8%"),
    ("heldout_v5.yml", "+ the forms' answers (after end-to-end failures on 四口人, 十几个人)", "0.991", "3.0%"),
    ("heldout_v5.yml", "+ ordinary NLU messages and follow-up phrases (after 我还想问个问题); looked at", "0.983",
     "2.6%"),
    ("heldout_v5.yml", "threshold 0.4 again, goodbyes as ordinary training messages", "0.983", "2.1%"),
    ("heldout_v5.yml", "every ordinary NLU example as none, n-grams of particles only dropped (short replies "
     "such as 免了 / 我打错字了 were danger at 0.99); moved into training after this", "0.970", "3.0%"),
    ("heldout_v6.yml (607)", "the same, first look; its misses chose patterns (来世再见, 死得快, 高架上拦车, 塔吊上待了一夜) "
     "and guards (就是问问, 没人中毒, 劝住了), then moved into training", "0.964", "2.5%"),
    ("heldout_v7.yml (806)", "the same, first look; moved into training unchanged (nothing chosen on it)", "0.957",
     "1.5%"),
    ("heldout_v8.yml (708)", "v7 in the training data, first look", "0.975", "2.6%"),
    ("heldout_v8.yml", "+ pinyin syllable 1-3 grams and a 0.3 share of the training messages as pinyin; looked at",
     "0.989", "1.9%"),
    ("heldout_v8.yml", "+ bot/safety/training_near_misses.yml (482 near-misses and rarer dangers, written after "
     "reading v8's misses and false alarms); moved into training after this", "0.989", "0.2%"),
    ("heldout_v9.yml (810)", "v8 in the training data, first look", "0.969", "3.1%"),
    ("heldout_v9.yml", "guards defuse the hit of their own clause (hyperbole, negation) or of the message (a past "
     "event, a game); a rules question never defuses suicide or what happens now; the idiom floor asks the hit's "
     "clause; a few patterns (有人从楼上摔下来了, 被关在, 活著); moved into training after this", "0.986", "1.8%"),
    ("heldout_v10.yml (807)", "v9 in the training data, first look", "0.979", "5.0%"),
    ("heldout_v10.yml", "negation guards (没有人打我, 不打算去堵门), fiction and game guards (《, 追剧, 主角), a resolved "
     "injury guards the message (止住了), medicines and idioms as false friends (降压药, 捅娄子), a few patterns "
     "(废了我, 出个意外, 下去就没声了), bot/safety/training_near_misses_2.yml (64); moved into training after this",
     "0.991", "1.3%"),
    ("heldout_v11.yml (851)", "v10 in the training data, first look", "0.975", "3.2%"),
    ("heldout_v11.yml", "patterns in English and pinyin, a negation just before an injury or a protest, the worker "
     "breaking off (等一下), planned protests however heard of, films and the news from elsewhere with no word of the "
     "worker's own are no alarm; bot/safety/training_near_misses_3.yml (703, written for training by a helper who "
     "read no test set); moved into training after this", "1.000", "0.4%"),
    ("heldout_v12.yml (971)", "the same, first look", "0.974", "2.0%"),
    ("heldout_v12.yml", "overdoses by count and method questions as strong wording, euphemisms and farewells "
     "(来世再报, 人没了谁领), a harness, intimidation (走夜路小心), collective stoppages (集体罢送), sleeping-pill and "
     "money talk (大出血) as false friends, bot/safety/training_near_misses_4.yml (65); moved into training after "
     "this", "1.000", "1.1%"),
    ("heldout_v13.yml (1025)", "v11 and v12 in the training data, first look", "0.975", "3.7%"),
    ("heldout_v13.yml", "euphemisms (我要是不在了, 骨灰), nails through a foot, fires, stoppages in other words (集体没发车, "
     "坐在办公室不走), banners; a cry of 救命 over a form, questions of prevention, plays and stories as guards; "
     "bot/safety/training_near_misses_5.yml (50); moved into training after this", "0.993", "1.0%"),
    ("heldout_v14.yml (1011)", "v13 in the training data, first look; then held out beside v15", "0.971", "4.5%"),
    ("heldout_v15.yml (736)", "the same, first look; held out beside v14", "0.976", "2.9%"),
    ("heldout_v14.yml", "a whole group stopping work (全部撂挑子, 坐在前台不走), a suicide hit on words that are no idiom "
     "(身后事, 遗书) skips the idiom floor, 如果 guards only a real question, denials (不是想自杀), cries over paperwork, "
     "warnings (会中毒) and resolved events (后没事了) as guards; the classifier unchanged; moved into training after this",
     "0.993", "2.3%"),
    ("heldout_v15.yml", "the same; moved into training after this", "1.000", "2.5%"),
)
HELDOUT_DIR = ROOT / "tests" / "safety"
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
# The targets of issue 10: recall of dangerous messages, false alarms on ordinary ones.
MIN_RECALL, MAX_FALSE_ALARMS = 0.98, 0.02


@dataclass
class Score:
    dangerous: int = 0
    caught: int = 0
    right_category: int = 0
    ordinary: int = 0
    false_alarms: int = 0
    misses: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    by_category: dict = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.caught / self.dangerous if self.dangerous else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.ordinary if self.ordinary else 0.0

    def add(self, text: str, truth: str, found) -> None:
        if truth == NONE:
            self.ordinary += 1
            if found is not None:
                self.false_alarms += 1
                self.alarms.append((text, found))
            return
        self.dangerous += 1
        seen, total = self.by_category.get(truth, (0, 0))
        self.by_category[truth] = (seen + (found is not None), total + 1)
        if found is None:
            self.misses.append((text, truth))
            return
        self.caught += 1
        self.right_category += found.category == truth


def score(screen: SafetyScreen, texts: list[str], labels: list[str]) -> Score:
    result = Score()
    for text, truth in zip(texts, labels):
        result.add(text, truth, screen.check(text))
    return result


def cross_validate(texts: list[str], labels: list[str], folds: int = 5) -> dict[float, Score]:
    """Every threshold scored on the same folds: each fold's model trained on the other four."""
    results = {t: Score() for t in THRESHOLDS}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    for train, test in splitter.split(texts, labels):
        model = SafetyModel.train([texts[i] for i in train], [labels[i] for i in train])
        for threshold, result in results.items():
            screen = SafetyScreen(model, threshold, GUARDED_THRESHOLD)
            for i in test:
                result.add(texts[i], labels[i], screen.check(texts[i]))
    return results


def heldout_section(name: str, heldout: Score) -> list[str]:
    lines = [
        f"## Held-out set tests/safety/{name}",
        "",
        f"- dangerous messages: {heldout.dangerous}; caught **{heldout.caught}**, recall **{heldout.recall:.3f}**"
        f" (target ≥ {MIN_RECALL}: {'met' if heldout.recall >= MIN_RECALL else 'NOT met'})",
        f"- ordinary messages: {heldout.ordinary}; false alarms **{heldout.false_alarms}**, "
        f"**{heldout.false_alarm_rate:.1%}** (target ≤ {MAX_FALSE_ALARMS:.0%}: "
        f"{'met' if heldout.false_alarm_rate <= MAX_FALSE_ALARMS else 'NOT met'})",
        f"- caught with the right category: {heldout.right_category}/{heldout.caught}",
        "",
        "| category | caught | of |",
        "|---|---|---|",
    ]
    for category in CATEGORIES:
        seen, total = heldout.by_category.get(category, (0, 0))
        lines.append(f"| {category} | {seen} | {total} |")
    lines += ["", "### Every miss", ""]
    lines += [f"- `{text}` ({truth})" for text, truth in heldout.misses] or ["- none"]
    lines += ["", "### Every false alarm", ""]
    lines += [f"- `{text}` (taken as {found.category}, {found.source}, {found.score:.2f})"
              for text, found in heldout.alarms] or ["- none"]
    return lines + [""]


def report(cv: dict[float, Score], heldouts: dict[str, Score], train_size: int) -> str:
    lines = [
        "# Safety screen report",
        "",
        f"Written by `make eval-safety` ({dt.datetime.now():%Y-%m-%d %H:%M}). The screen (bot/safety/) combines",
        "patterns with guards against hyperbole, negation and past events (bot/safety/patterns.py) and a",
        "logistic regression on character 1-3 grams, jieba words and pinyin syllable 1-3 grams (bot/safety/model.py), trained on",
        f"bot/safety/training*.yml ({train_size} messages). Thresholds in use: **{THRESHOLD}**, and",
        f"**{GUARDED_THRESHOLD}** where a guard matches.",
        "",
    ]
    for name, heldout in heldouts.items():
        lines += heldout_section(name, heldout)
    lines += ["## History: earlier held-out sets, used to choose, then moved into the training data", "",
              "| set | screen | recall | false alarms |", "|---|---|---|---|"]
    lines += [f"| {name} | {what} | {recall} | {alarms} |" for name, what, recall, alarms in HISTORY]
    lines += ["", "## Choosing the threshold: 5-fold cross-validation on the training data", "",
              "| threshold | recall | false alarms |", "|---|---|---|"]
    for threshold, result in cv.items():
        mark = " (in use)" if threshold == THRESHOLD else ""
        lines.append(f"| {threshold}{mark} | {result.recall:.3f} | {result.false_alarm_rate:.1%} |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "safety_report.md")
    args = parser.parse_args()
    texts, labels = load_examples()
    cv = cross_validate(texts, labels)
    screen = SafetyScreen(SafetyModel.train(texts, labels))
    heldouts = {name: score(screen, *load_examples(HELDOUT_DIR / name))
                for name in HELDOUT_SETS if (HELDOUT_DIR / name).exists()}
    args.report.write_text(report(cv, heldouts, len(texts)), encoding="utf-8")
    for name, heldout in heldouts.items():
        print(f"{name}: recall {heldout.recall:.3f} ({heldout.caught}/{heldout.dangerous}), false alarms "
              f"{heldout.false_alarm_rate:.1%} ({heldout.false_alarms}/{heldout.ordinary})")
    print(f"report: {args.report}")
    for threshold, result in cv.items():
        print(f"cv threshold {threshold}: recall {result.recall:.3f}, false alarms {result.false_alarm_rate:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
