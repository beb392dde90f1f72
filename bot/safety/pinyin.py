"""Toneless pinyin of a message: characters through pypinyin, Latin letters split into syllables.

Workers who type without characters ("wo xiang si le", "liu xue bu zhi") or with a homophone typo
meet the classifier's pinyin view (bot/safety/model.py) and the patterns' pinyin phrases
(bot/safety/patterns.py) through these two functions.
"""
from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1)
def syllable_inventory() -> frozenset[str]:
    """Every toneless syllable pypinyin gives a common character."""
    from pypinyin import lazy_pinyin

    return frozenset(s for s in lazy_pinyin([chr(c) for c in range(0x4E00, 0x9FA6)]) if s.isascii() and s.isalpha())


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


def pinyin_syllables(normalised: str) -> list[str]:
    """A normalised text (bot/safety/patterns.normalise) as toneless pinyin: characters through
    pypinyin (its phrase dictionary picks the reading), Latin letters split into syllables; digits
    and punctuation dropped."""
    from pypinyin import lazy_pinyin

    syllables = syllable_inventory()
    out: list[str] = []
    for piece in lazy_pinyin(normalised):
        if piece in syllables:
            out.append(piece)
        else:
            for run in re.findall(r"[a-z]+", piece):
                out.extend(_split_latin(run, syllables))
    return out
