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
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if fits(sentence):
            pieces.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):  # a sentence over the limits: its clauses
            pieces.extend([clause] if fits(clause) else _pack(list(clause), fits))  # or characters
    return [c.strip() for c in _pack(pieces, fits) if c.strip()]


def _pack(pieces: list[str], fits) -> list[str]:
    """Consecutive pieces joined into as few chunks as fit."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and not fits(current + piece):
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return chunks
