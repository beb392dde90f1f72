"""WeChat takes at most 2048 bytes of UTF-8 per text message; longer replies are cut at sentence
ends (then at commas, then anywhere) into several messages."""
from __future__ import annotations

import re

MAX_BYTES = 2048
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])")
_CLAUSE_END = re.compile(r"(?<=[，,、：:）)])")


def split_text(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Pieces of `text` of at most `limit` UTF-8 bytes each, in order, none empty."""
    text = text.strip()
    if not text:
        return []
    if _size(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and _size(current + piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def _pieces(text: str, limit: int) -> list[str]:
    """Sentences; a sentence over the limit is cut at clauses, a clause over it at characters."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if _size(sentence) <= limit:
            out.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            if _size(clause) <= limit:
                out.append(clause)
            else:
                out.extend(_hard_cut(clause, limit))
    return [p for p in out if p]


def _hard_cut(text: str, limit: int) -> list[str]:
    out, current = [], ""
    for char in text:
        if _size(current + char) > limit:
            out.append(current)
            current = ""
        current += char
    if current:
        out.append(current)
    return out


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
