"""Stage two of retrieval: the support score of each candidate (stage one, ``candidates``), which
rewards verbatim matches (whole, or around an interruption) and abstains on invented quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chain.candidates import Candidate
from bot.chain.verify import longest_run, ordered_cover

LONG_FRAGMENT = 6  # quoted fragments this long must appear mostly verbatim…
FRAGMENT_RUN = 0.6  # …as a run of at least this share of their words


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


def features(c: Candidate, wanted: set[str], needle: list[str], cue: str = "") -> Features:
    """Dense similarity, share of the question's content words, longest verbatim runs."""
    coverage = len(wanted & c.termset) / len(wanted) if wanted else 0.0
    run = in_quote = pieces = 0.0
    if needle:
        run = longest_run(needle, c.text_words) / len(needle)
        own = longest_run(needle, c.quote_words) if run else 0
        in_quote = own / len(needle)
        if min(3, len(needle)) <= own < len(needle):
            pieces = ordered_cover(needle, c.paragraph_words) / len(needle)
    asked = float(bool(cue) and cue in c.cues)
    return Features(c.dense, coverage, run, in_quote, asked, pieces)
