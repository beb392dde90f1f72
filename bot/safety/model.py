"""The safety screen's classifier: logistic regression on TF-IDF of character 1-3 grams, jieba
words and pinyin syllable 1-3 grams, trained on bot/safety/training*.yml (five classes: the four
dangers and none).

Character n-grams carry the typos, dialect and voice-recognition run-ons workers send; words
separate 想死 from 想死你了 and 打人 from 打工; pinyin lets a worker who types without characters
("wo xiang si le", 想zisha) and a homophone typo (自刹) meet the Chinese training messages. Training takes about ten seconds, so the trained
pipeline is kept under models/ (skops, as the intent classifier is), named by a hash of the
training files and of this module: the first process after a change trains and saves it, every
other one loads it.
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
def _pinyin_inventory() -> tuple[frozenset[str], frozenset[str]]:
    """Every toneless syllable pypinyin gives a common character, and those of the function characters."""
    from pypinyin import lazy_pinyin

    syllables = frozenset(s for s in lazy_pinyin([chr(c) for c in range(0x4E00, 0x9FA6)]) if s.isascii() and s.isalpha())
    return syllables, frozenset(lazy_pinyin(sorted(FUNCTION_CHARS)))


def _split_latin(run: str, syllables: frozenset[str]) -> list[str]:
    """A run of Latin letters as pinyin syllables, longest first ("woxiangsile" -> wo xiang si le);
    a letter that starts no syllable is dropped."""
    out, i = [], 0
    while i < len(run):
        for n in range(min(6, len(run) - i), 0, -1):
            if run[i:i + n] in syllables:
                out.append(run[i:i + n])
                i += n
                break
        else:
            i += 1
    return out


def pinyin_syllables(text: str) -> list[str]:
    """The normalised text as toneless pinyin: characters through pypinyin (its phrase dictionary
    picks the reading), Latin letters split into syllables; digits and punctuation dropped."""
    from pypinyin import lazy_pinyin

    syllables, _ = _pinyin_inventory()
    out: list[str] = []
    for piece in lazy_pinyin(normalise(text)):
        if piece in syllables:
            out.append(piece)
        else:
            for run in re.findall(r"[a-z]+", piece):
                out.extend(_split_latin(run, syllables))
    return out


def pinyin_ngrams(text: str, max_ngram: int = 3) -> list[str]:
    """Syllable 1..max_ngram grams, less those of function characters' syllables only (le, wo, ba)."""
    sequence = pinyin_syllables(text)
    _, function = _pinyin_inventory()
    grams = []
    for n in range(1, max_ngram + 1):
        for i in range(len(sequence) - n + 1):
            gram = sequence[i:i + n]
            if not set(gram) <= function:
                grams.append(" ".join(gram))
    return grams


def make_pipeline(C: float = 30.0, max_ngram: int = 3, class_weight: str | None = None,
                  content_only: bool = True) -> Pipeline:
    """C and the class weights were chosen by 5-fold cross-validation on the training files
    (docs/safety_report.md): unweighted classes gave more recall at the same false alarms."""
    if content_only:
        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer=content_words, sublinear_tf=True)),
            ("pinyin", TfidfVectorizer(analyzer=pinyin_ngrams, sublinear_tf=True)),
        ])
    else:
        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, max_ngram), sublinear_tf=True,
                                      preprocessor=normalise)),
            ("words", TfidfVectorizer(tokenizer=words, preprocessor=normalise, sublinear_tf=True,
                                      token_pattern=None)),
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
    return (texts + [" ".join(pinyin_syllables(texts[i])) for i in picked],
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

    def __init__(self, pipeline: Pipeline):
        union, lr = pipeline.named_steps["features"], pipeline.named_steps["lr"]
        if union.transformer_weights or lr.coef_.shape[0] < 3:
            raise ValueError("SparseScorer knows unweighted features and a multinomial model only")
        self.views = []
        offset = 0
        for _name, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf:
                raise ValueError("SparseScorer knows l2-normalised TF-IDF only")
            self.views.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_,
                               offset, vectorizer.sublinear_tf))
            offset += len(vectorizer.vocabulary_)
        self.coef, self.intercept = lr.coef_, lr.intercept_

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
    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.scorer = SparseScorer(pipeline)
        classes = list(pipeline.classes_)
        self._none = classes.index(NONE)
        self._dangers = [(i, c) for i, c in enumerate(classes) if c != NONE]

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
        if path.exists():
            try:
                stat = path.stat()
                return cls(_load(path, stat.st_mtime_ns, stat.st_size))
            except (ValueError, OSError) as exc:  # a foreign or broken file: train afresh
                log.warning("safety model %s not loaded (%s): training it", path.name, exc)
        model = cls.train(*load_examples())
        try:
            _save(model.pipeline, path)
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


def _save(pipeline: Pipeline, path: Path) -> None:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside it and renamed: a process loading it at the same time never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        sio.dump(pipeline, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
