"""Finding the FAQ entry a question means: BM25 (rank-bm25) over the search terms of each enabled
entry, in two fields: its phrasings (the standard question and the similar ones, as one document)
and, weighted lower, its answer, which often holds the words a worker uses.

BM25 scores grow with the length of the question, so they are divided by what a phrasing holding
each question term once would score (the sum of the terms' idf): about 1 means "every word of the
question is in the entry", and one pair of thresholds fits short and long questions alike. A
question that fits two entries about equally well ("会员") is answered with a choice, not a guess.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from rank_bm25 import BM25Okapi

from unionkit.faq.text import terms

# Above ANSWER_AT the answer is given; from SUGGEST_AT up the best questions are offered as
# buttons; below, the normal fallback. Chosen on the seed FAQ (docs/faq_report.md).
ANSWER_AT = 0.6
SUGGEST_AT = 0.3
SUGGESTIONS = 3
ANSWER_WEIGHT = 0.45  # how much the answer field counts beside the phrasings
AMBIGUOUS_RATIO = 0.9  # a runner-up this close to the best makes the question ambiguous


@dataclass(frozen=True)
class Candidate:
    """What the index needs of an entry (an ORM row or a row of the seed file)."""

    id: int
    question: str
    variants: tuple[str, ...]
    answer: str
    category: str = ""

    @property
    def phrasings(self) -> list[str]:
        return list(dict.fromkeys(p for p in (self.question, *self.variants) if p.strip()))


@dataclass(frozen=True)
class Match:
    entry: Candidate
    score: float
    phrasing: str  # the phrasing sharing most terms with the question (shown in "try it")


@dataclass(frozen=True)
class Decision:
    kind: str  # answer | suggest | none
    matches: list[Match]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


class FaqIndex:
    def __init__(self, entries: Iterable[Candidate], version: str | None = None):
        self.version = version
        self.entries = list(entries)
        self._phrasing_terms = [[set(terms(p)) for p in e.phrasings] for e in self.entries]
        questions = [[t for p in e.phrasings for t in terms(p)] for e in self.entries]
        answers = [terms(e.answer) for e in self.entries]
        self._questions = BM25Okapi(questions) if self.entries else None
        self._answers = BM25Okapi(answers) if self.entries else None

    def __len__(self) -> int:
        return len(self.entries)

    def _idf(self, term: str) -> float:
        known = self._questions.idf.get(term)
        if known is not None:
            return max(known, 0.0)
        # A term no phrasing has: as rare as can be (it is part of what the worker asked).
        return math.log((len(self.entries) + 0.5) / 0.5)

    def search(self, question: str, limit: int = SUGGESTIONS) -> list[Match]:
        """The best `limit` entries for `question`, best first, each with its normalised score."""
        if not self.entries:
            return []
        query = list(dict.fromkeys(terms(question)))
        if not query:
            return []
        scale = sum(self._idf(t) for t in query) or 1.0
        raw = self._questions.get_scores(query) + ANSWER_WEIGHT * self._answers.get_scores(query)
        ranked = sorted((i for i in range(len(self.entries)) if raw[i] > 0), key=lambda i: -raw[i])[:limit]
        asked = set(query)
        return [Match(self.entries[i], round(float(raw[i]) / scale, 4), self._closest_phrasing(i, asked))
                for i in ranked]

    def _closest_phrasing(self, index: int, asked: set[str]) -> str:
        phrasings = self.entries[index].phrasings
        overlaps = [len(asked & t) for t in self._phrasing_terms[index]]
        return phrasings[overlaps.index(max(overlaps))]

    def decide(self, question: str) -> Decision:
        matches = self.search(question)
        clear = len(matches) < 2 or matches[1].score < AMBIGUOUS_RATIO * matches[0].score
        if matches and matches[0].score >= ANSWER_AT and clear:
            return Decision("answer", matches[:1])
        offered = [m for m in matches if m.score >= SUGGEST_AT]
        if offered:
            return Decision("suggest", offered)
        return Decision("none", matches)
