"""WeChat takes at most 2048 bytes of UTF-8 per text message, and the assistant's rule (DESIGN.md) is
at most 600 characters per WeChat message; longer replies are cut at sentence ends (then at commas,
then anywhere) into several messages."""
from __future__ import annotations

import re

MAX_BYTES = 2048
MAX_CHARS = 600
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])")
_CLAUSE_END = re.compile(r"(?<=[，,、：:）)])")


def split_text(text: str, max_bytes: int = MAX_BYTES, max_chars: int = MAX_CHARS) -> list[str]:
    """Pieces of `text` within both limits, in order, none empty."""
    def fits(piece: str) -> bool:
        return len(piece) <= max_chars and len(piece.encode("utf-8")) <= max_bytes

    text = text.strip()
    if not text:
        return []
    if fits(text):
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, fits):
        if current and not fits(current + piece):
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def _pieces(text: str, fits) -> list[str]:
    """Sentences; a sentence over the limits is cut at clauses, a clause over them at characters."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if fits(sentence):
            out.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            out.extend([clause] if fits(clause) else _hard_cut(clause, fits))
    return [p for p in out if p]


def _hard_cut(text: str, fits) -> list[str]:
    out, current = [], ""
    for char in text:
        if current and not fits(current + char):
            out.append(current)
            current = ""
        current += char
    if current:
        out.append(current)
    return out
