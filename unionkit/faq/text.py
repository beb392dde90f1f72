"""Turns Chinese text into search terms: jieba words (with the project's union dictionary) plus
single characters and character bigrams, which survive words jieba splits differently and typos."""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

import yaml

# The project's jieba dictionary, the one the NLU pipeline uses too.
USER_DICT = Path(__file__).resolve().parents[2] / "nlu" / "jieba" / "userdict.txt"
NORMALIZE_FILE = Path(__file__).with_name("normalize.yml")
# Runs of characters that carry meaning: CJK, Latin letters, digits.
WORD_CHARS = re.compile(r"[0-9a-z\u4e00-\u9fff]+")

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _rules() -> tuple[list[tuple[str, str]], frozenset[str]]:
    data = yaml.safe_load(NORMALIZE_FILE.read_text(encoding="utf-8")) or {}
    # Longest first, so 咋办 wins over 咋.
    pairs = sorted((data.get("replacements") or {}).items(), key=lambda kv: -len(kv[0]))
    return [(str(a), str(b)) for a, b in pairs], frozenset(str(w) for w in data.get("stopwords") or [])


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    with _lock:
        tok = jieba.Tokenizer()
        tok.initialize()
        if USER_DICT.exists():
            tok.load_userdict(str(USER_DICT))
    return tok


def normalize(text: str) -> str:
    """Lower case, full-width to half-width, spoken forms to written ones."""
    out = []
    for ch in text or "":
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        out.append(ch)
    text = "".join(out).lower()
    for spoken, written in _rules()[0]:
        text = text.replace(spoken, written)
    return text


def terms(text: str) -> list[str]:
    """Search terms of `text`: words (stop words dropped), then the characters and character
    bigrams of what is left."""
    stopwords = _rules()[1]
    words: list[str] = []
    bigrams: list[str] = []
    for run in WORD_CHARS.findall(normalize(text)):
        kept = [w for w in _jieba().lcut(run) if w not in stopwords]
        for word in kept:
            words.extend(w for w in _jieba().lcut_for_search(word) if w not in stopwords)
        rest = "".join(kept)
        bigrams.extend("@" + ch for ch in rest)
        bigrams.extend("#" + rest[i:i + 2] for i in range(len(rest) - 1))
    return words + bigrams
