"""The safety screen's classifier: logistic regression on TF-IDF of character 1-3 grams, jieba
words and pinyin syllable 1-3 grams, trained on bot/safety/training*.yml (five classes: the four
dangers and none).

Character n-grams carry the typos, dialect and voice-recognition run-ons workers send; words
separate 想死 from 想死你了 and 打人 from 打工; pinyin lets a worker who types without characters
("wo xiang si le", 想zisha) and a homophone typo (自刹) meet the Chinese training messages. Training takes about ten seconds, so the trained
pipeline is kept under models/ (skops, as the intent classifier is), named by a hash of the
training files and of this module, with its scorer's arrays beside it (.npz): the first process
after a change trains and saves both, every other one loads the arrays (the gateway scores with
them alone; the pipeline is read only for evaluation).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import random
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.safety.patterns import CATEGORIES, normalise
from bot.safety.pinyin import pinyin_syllables

log = logging.getLogger(__name__)

TRAINING_DIR = Path(__file__).parent
CACHE_DIR = TRAINING_DIR.parent.parent / "models"
NONE = "none"
# What a saved pipeline may contain; anything else in the file is refused, as Rasa refuses its own.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "bot.safety.")


def training_files() -> list[Path]:
    return sorted(TRAINING_DIR.glob("training*.yml"))


def load_examples(*paths: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for path in paths or training_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("messages") or []:
            label = item["category"]
            if label not in CATEGORIES and label != NONE:
                raise ValueError(f"{path}: unknown category {label!r} for {item['text']!r}")
            texts.append(item["text"])
            labels.append(label)
    return texts, labels


def words(text: str) -> list[str]:
    import jieba  # imported here: only the gateway's screen needs it, and it loads a dictionary

    jieba.setLogLevel(60)
    return jieba.lcut(text)


# Particles, pronouns and the commonest verbs say nothing of danger on their own; an n-gram made of
# them only is no evidence (without this, 免了 / 下了 / 说漏了 were medical at 0.99: short messages
# have little else, and 了 ends many short emergencies in the training data).
FUNCTION_CHARS = frozenset("了吧的啊吗呢呀哦嘛啦哈嗯噢哇喔呗咯么我你他她它们这那就是都也还在有个一很太好不没要会能")


def char_ngrams(text: str, max_ngram: int = 3) -> list[str]:
    """Character 1..max_ngram grams of the normalised text, less those made of function characters only."""
    text = normalise(text)
    grams = []
    for n in range(1, max_ngram + 1):
        for i in range(len(text) - n + 1):
            gram = text[i:i + n]
            if not gram.isspace() and not set(gram) <= FUNCTION_CHARS:
                grams.append(gram)
    return grams


def content_words(text: str) -> list[str]:
    return [w for w in words(normalise(text)) if not w.isspace() and not set(w) <= FUNCTION_CHARS]


@functools.lru_cache(maxsize=1)
def _function_syllables() -> frozenset[str]:
    from pypinyin import lazy_pinyin

    return frozenset(lazy_pinyin(sorted(FUNCTION_CHARS)))


def pinyin_ngrams(text: str, max_ngram: int = 3) -> list[str]:
    """Syllable 1..max_ngram grams, less those of function characters' syllables only (le, wo, ba)."""
    sequence = pinyin_syllables(normalise(text))
    function = _function_syllables()
    grams = []
    for n in range(1, max_ngram + 1):
        for i in range(len(sequence) - n + 1):
            gram = sequence[i:i + n]
            if not set(gram) <= function:
                grams.append(" ".join(gram))
    return grams


# The feature views by name, as make_pipeline names them (a saved scorer names its views).
ANALYZERS = {"chars": char_ngrams, "words": content_words, "pinyin": pinyin_ngrams}


def make_pipeline(C: float = 30.0, class_weight: str | None = None) -> Pipeline:
    """C and the class weights were chosen by 5-fold cross-validation on the training files
    (docs/safety_report.md): unweighted classes gave more recall at the same false alarms; min_df=2
    on the pinyin view gave less recall (0.9710 against 0.9721) and was not taken."""
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer=content_words, sublinear_tf=True)),
        ("pinyin", TfidfVectorizer(analyzer=pinyin_ngrams, sublinear_tf=True)),
    ])
    return Pipeline([
        ("features", features),
        ("lr", LogisticRegression(C=C, max_iter=3000, class_weight=class_weight, random_state=42)),
    ])


# A share of the training messages is added again as toneless pinyin, so that a message typed in
# pinyin alone, which has no character or word features the model knows, is still recognised (on
# the v8 set: 0 share 7 misses, 0.3 3 misses, 1.0 4 misses at the same false alarms; 0.3 trains faster).
PINYIN_COPY_SHARE = 0.3


def with_pinyin_copies(texts: list[str], labels: list[str], share: float) -> tuple[list[str], list[str]]:
    """The examples plus a fixed random `share` of them written in pinyin ("wo xiang si le")."""
    rng = random.Random(42)
    picked = [i for i in range(len(texts)) if rng.random() < share]
    return (texts + [" ".join(pinyin_syllables(normalise(texts[i]))) for i in picked],
            labels + [labels[i] for i in picked])


@dataclass
class Prediction:
    category: str      # the likeliest danger (even when danger is unlikely)
    danger: float      # 1 - P(none)


class SparseScorer:
    """The pipeline's probabilities for one message, computed from its fitted parameters: the same
    numbers as pipeline.predict_proba (tests/unit/test_safety_screen.py), at a tenth of the CPU.
    sklearn's TfidfTransformer multiplies every message by an n_features x n_features diagonal
    matrix, which costs time in proportion to the vocabulary (190,000 n-grams): about 4 ms of the
    gateway's CPU per message, for a message of a few n-grams."""

    def __init__(self, views: list, coef: np.ndarray, intercept: np.ndarray, classes: list[str]):
        self.views = views  # (analyzer, vocabulary, idf, offset of its columns, sublinear tf)
        self.coef, self.intercept, self.classes = coef, intercept, classes

    @classmethod
    def of(cls, pipeline: Pipeline) -> "SparseScorer":
        union, lr = pipeline.named_steps["features"], pipeline.named_steps["lr"]
        if union.transformer_weights or lr.coef_.shape[0] < 3:
            raise ValueError("SparseScorer knows unweighted features and a multinomial model only")
        views = []
        offset = 0
        for name, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf or name not in ANALYZERS:
                raise ValueError("SparseScorer knows l2-normalised TF-IDF of this module's analyzers only")
            views.append((ANALYZERS[name], vectorizer.vocabulary_, vectorizer.idf_, offset, vectorizer.sublinear_tf))
            offset += len(vectorizer.vocabulary_)
        return cls(views, lr.coef_, lr.intercept_, [str(c) for c in pipeline.classes_])

    # Saved beside the pipeline as plain arrays (numpy, no pickle): the gateway's workers load it in
    # a fraction of a second, where auditing and loading the 180 MB pipeline took about 9 s.
    def save(self, path: Path) -> None:
        arrays = {"coef": self.coef, "intercept": self.intercept, "classes": np.array(self.classes)}
        names = [next(n for n, fn in ANALYZERS.items() if fn is view[0]) for view in self.views]
        for i, (name, (_fn, vocabulary, idf, offset, sublinear)) in enumerate(zip(names, self.views)):
            arrays[f"view{i}_terms"] = np.array(sorted(vocabulary, key=vocabulary.get))
            arrays[f"view{i}_idf"] = idf
            arrays[f"view{i}_meta"] = np.array([offset, int(sublinear)])
            arrays[f"view{i}_name"] = np.array(name)
        # np.savez adds ".npz" to a name without it: the temporary file keeps that suffix.
        _write_atomically(path, lambda tmp: np.savez(tmp, **arrays), suffix=".npz")

    @classmethod
    def load(cls, path: Path) -> "SparseScorer":
        with np.load(path, allow_pickle=False) as data:
            views = []
            i = 0
            while f"view{i}_terms" in data:
                terms = data[f"view{i}_terms"].tolist()
                offset, sublinear = data[f"view{i}_meta"].tolist()
                views.append((ANALYZERS[str(data[f"view{i}_name"])], dict(zip(terms, range(len(terms)))),
                              data[f"view{i}_idf"], int(offset), bool(sublinear)))
                i += 1
            return cls(views, data["coef"], data["intercept"], data["classes"].tolist())

    def proba(self, text: str) -> np.ndarray:
        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, offset, sublinear in self.views:
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf) if sublinear else tf) * idf[columns]
            weights /= np.sqrt(weights @ weights)
            scores += self.coef[:, offset + columns] @ weights
        scores = np.exp(scores - scores.max())  # the multinomial model's softmax
        return scores / scores.sum()


class SafetyModel:
    def __init__(self, pipeline: Pipeline | None = None, scorer: SparseScorer | None = None,
                 pipeline_path: Path | None = None):
        self._pipeline = pipeline
        self._pipeline_path = pipeline_path  # loaded when asked for (evaluation, tests), not to serve
        self.scorer = scorer or SparseScorer.of(pipeline)
        classes = self.scorer.classes
        self._none = classes.index(NONE)
        self._dangers = [(i, c) for i, c in enumerate(classes) if c != NONE]

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            stat = self._pipeline_path.stat()
            self._pipeline = _load(self._pipeline_path, stat.st_mtime_ns, stat.st_size)
        return self._pipeline

    @classmethod
    def train(cls, texts: list[str], labels: list[str], pinyin_share: float = PINYIN_COPY_SHARE,
              **params) -> "SafetyModel":
        pipeline = make_pipeline(**params)
        pipeline.fit(*with_pinyin_copies(texts, labels, pinyin_share))
        return cls(pipeline)

    @classmethod
    def from_files(cls, cache_dir: Path = CACHE_DIR) -> "SafetyModel":
        """The pipeline trained on the training files: loaded from cache_dir when it was trained on
        exactly these files, else trained and saved there."""
        path = cache_dir / f"safety-{_fingerprint()}.skops"
        fast = path.with_suffix(".npz")
        if path.exists() and fast.exists():
            try:
                return cls(scorer=_load_scorer(fast, fast.stat().st_mtime_ns), pipeline_path=path)
            except (ValueError, OSError, KeyError) as exc:
                log.warning("safety scorer %s not loaded (%s): loading the pipeline", fast.name, exc)
        if path.exists():
            try:
                stat = path.stat()
                model = cls(_load(path, stat.st_mtime_ns, stat.st_size))
                _save_scorer(model.scorer, fast)
                return model
            except (ValueError, OSError) as exc:  # a foreign or broken file: train afresh
                log.warning("safety model %s not loaded (%s): training it", path.name, exc)
        model = cls.train(*load_examples())
        try:
            _save(model.pipeline, path)
            _save_scorer(model.scorer, fast)
        except OSError as exc:  # a read-only tree still gets a working screen
            log.warning("safety model not saved to %s: %s", path, exc)
        return model

    def predict(self, texts: list[str]) -> list[Prediction]:
        out = []
        for row in (self.scorer.proba(text) for text in texts):
            index, category = max(self._dangers, key=lambda ic: row[ic[0]])
            out.append(Prediction(category=category, danger=float(1.0 - row[self._none])))
        return out


def _fingerprint() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in training_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _write_atomically(path: Path, write, suffix: str = ".tmp") -> None:
    """`write(name)` writes a file beside `path`, which is then renamed onto it: a process loading
    it at the same time never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _save(pipeline: Pipeline, path: Path) -> None:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, lambda tmp: sio.dump(pipeline, tmp))


def _save_scorer(scorer: SparseScorer, path: Path) -> None:
    try:
        scorer.save(path)
    except OSError as exc:
        log.warning("safety scorer not saved to %s: %s", path, exc)


@functools.lru_cache(maxsize=4)
def _load_scorer(path: Path, mtime_ns: int = 0) -> SparseScorer:
    return SparseScorer.load(path)


# Loading and auditing the file takes seconds: every app built in a process (gunicorn's app, each
# test's app) shares the read-only pipeline of one file version (mtime and size are in the key).
@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int = 0, size: int = 0) -> Pipeline:
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ValueError(f"unexpected types: {refused}")
    return sio.load(path, trusted=untrusted)
