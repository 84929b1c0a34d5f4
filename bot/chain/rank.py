"""Ranking quote records for a question: reciprocal-rank fusion of the dense and BM25 rankings,
extra candidates that share word trigrams with a quoted fragment, and the support score that
rewards verbatim matches (whole, or around an interruption) and abstains on invented quotes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.chain.side import SideIndex
from bot.chain.verify import longest_run, ordered_cover, trigrams

RRF_K = 60
LONG_FRAGMENT = 6  # quoted fragments this long must appear mostly verbatim…
FRAGMENT_RUN = 0.6  # …as a run of at least this share of their words
COMMON_TRIGRAM = 500
VERBATIM = 10  # extra candidates that share the most word trigrams with a quoted fragment


def _top(values: np.ndarray, idx: np.ndarray, depth: int) -> np.ndarray:
    """The ``depth`` records of idx with the highest values, best first (ties: lower index)."""
    sub = -values[idx]
    part = np.argpartition(sub, depth)[:depth] if len(idx) > depth else np.arange(len(idx))
    return idx[part[np.lexsort((idx[part], sub[part]))]]


def fuse(dense: np.ndarray, lexical: np.ndarray, idx: np.ndarray, candidates: int) -> list[int]:
    """Reciprocal-rank fusion of the dense and BM25 rankings over idx; the best ``candidates``.

    Only the head of each ranking matters to RRF, so each is cut at ``depth``: a record below it
    counts as ranked at ``depth``. That avoids sorting every record on every question.
    """
    depth = max(200, 5 * candidates)
    floor = 1.0 / (RRF_K + depth)
    fused: dict[int, float] = {}
    for ranking in (_top(dense, idx, depth), _top(lexical, idx, depth)):
        for rank, i in enumerate(ranking.tolist()):
            fused[i] = fused.get(i, 2 * floor) + 1.0 / (RRF_K + rank) - floor
    ordered = sorted(fused, key=lambda i: (-fused[i], i))
    return ordered[:candidates]


@dataclass
class Features:
    """Why a record scored as it did (kept for calibration and the bench)."""

    dense: float
    coverage: float
    run: float  # longest verbatim run of the question's words in the searched text
    in_quote: float  # …in the quote itself
    cue: float = 0.0  # 1 when the record's cue is the verb the user asked with ("who warned")
    pieces: float = 0.0  # share of the quoted words found in order around an interruption

    def score(self, fragment_words: int = 0) -> float:
        """Support in [0, ~1]; ``fragment_words`` = length of the words the user put in quotes."""
        value = 0.45 * self.dense + 0.35 * self.coverage + 0.2 * self.run + 0.05 * self.in_quote
        value += 0.06 * self.cue
        if fragment_words < 2:
            return float(value)
        if self.in_quote >= 0.999:  # the user's quoted words, verbatim, in the quote
            return float(0.9 + 0.1 * self.dense + 0.06 * self.cue)
        if self.pieces >= 0.999:  # "A," she said, "B": all the words, the longest part here
            return float(0.85 + 0.1 * self.in_quote + 0.03 * self.dense)
        if self.run >= 0.999:  # in the quote's sentence but not (all) in the quote itself
            return float(max(value, 0.6 + 0.2 * self.in_quote))
        if fragment_words >= LONG_FRAGMENT and self.run < FRAGMENT_RUN:
            # Quoted words that are not in the record (an invented or stitched quote): a near
            # topic must not pass for the quote; half-remembered quotes keep a long run.
            value = min(value, 0.3 + 0.2 * self.run)
        return float(value)


def features(
    side: SideIndex, i: int, wanted: set[str], needle: list[str], dense: float, cue: str = ""
) -> Features:
    """Dense similarity, share of the question's content words, longest verbatim runs."""
    coverage = len(wanted & side.termsets[i]) / len(wanted) if wanted else 0.0
    run = in_quote = pieces = 0.0
    if needle:
        run = longest_run(needle, side.texts[i]) / len(needle)
        own = longest_run(needle, side.quote_words[i]) if run else 0
        in_quote = own / len(needle)
        if min(3, len(needle)) <= own < len(needle):
            pieces = ordered_cover(needle, side.paragraphs[i]) / len(needle)
    asked = float(bool(cue) and cue in side.cues[i])
    return Features(dense, coverage, run, in_quote, asked, pieces)


def verbatim(side: SideIndex, needle: list[str], keep: np.ndarray, n: int) -> list[int]:
    """Up to n kept records that share word trigrams with the needle, most shared first."""
    shared: Counter[int] = Counter()
    for gram in trigrams(needle):
        postings = side.shingles.get(gram, ())
        if len(postings) <= COMMON_TRIGRAM:  # "i dont think" says nothing about who said it
            shared.update(i for i in postings if keep[i])
    return [i for i, _ in shared.most_common(n)]
