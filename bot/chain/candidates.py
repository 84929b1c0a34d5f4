"""Stage one of retrieval: candidates from the store, never the whole store.

Chroma's HNSW gives the records nearest the question (``where`` filters for speaker, article,
publisher and month); the lexical index gives the records that hold its words (BM25 over quote,
sentence, paragraph, headline, speaker and role) and, for quoted fragments, the records that hold
them as a phrase. Their union, a few dozen records, is all that stage two (``rank``) looks at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from bot.chain.verify import STOPWORDS, stem, words
from store.index import Filter, QuoteIndex, Stored, hit_from
from store.types import Hit

PHRASE = 10  # records holding a quoted fragment as a phrase
WHO = ("speaker", "speaker_mention", "speaker_role")


@dataclass
class Candidate:
    """One record under consideration, with what stage one knows about it."""

    stored: Stored
    dense: float = 0.0
    lexical: float = 0.0  # BM25 from the lexical index (0 when it did not find the record)
    found_by: set[str] = field(default_factory=set)  # dense, lexical, phrase, own

    @property
    def id(self) -> str:
        return self.stored.id

    @property
    def meta(self) -> dict[str, Any]:
        return self.stored.meta

    @cached_property
    def hit(self) -> Hit:
        return hit_from(self.id, self.meta)

    @cached_property
    def text_words(self) -> list[str]:
        """Words of the quote's sentence(s): where a short quote's subject lives."""
        return words(str(self.meta.get("sentence") or self.stored.document or ""))

    @cached_property
    def termset(self) -> frozenset[str]:
        return frozenset(map(stem, set(self.text_words) - STOPWORDS))

    @cached_property
    def quote_words(self) -> list[str]:
        return words(str(self.meta.get("quote", "")))

    @cached_property
    def paragraph_words(self) -> list[str]:
        return words(str(self.meta.get("context") or self.meta.get("quote", "")))

    def stems(self, field: str) -> frozenset[str]:
        """Stemmed words of a metadata field (quote, context, title, who), computed once."""
        cache = self.__dict__.setdefault("_stems", {})
        if field not in cache:
            if field == "quote":
                found = self.quote_words
            elif field == "context":
                found = self.paragraph_words
            elif field == "who":
                found = words(" ".join(str(self.meta.get(f, "")) for f in WHO))
            else:
                found = words(str(self.meta.get(field, "")))
            cache[field] = frozenset(map(stem, found))
        return cache[field]

    @cached_property
    def cues(self) -> frozenset[str]:
        return frozenset(stem(w) for w in words(str(self.meta.get("cue", ""))))


def gather(
    index: QuoteIndex,
    vector: np.ndarray,
    query: str,
    fragment: str,
    flt: Filter,
    k: int,
    own: Filter | None = None,
) -> list[Candidate]:
    """Dense + lexical (+ phrase) candidates within a filter; ``own`` adds the dense best of a
    second filter (the named speaker's own quotes, to answer "did X say …?")."""
    found: dict[str, Candidate] = {}

    def take(stored: Stored, how: str, lexical: float = 0.0) -> None:
        c = found.setdefault(stored.id, Candidate(stored))
        c.found_by.add(how)
        c.lexical = max(c.lexical, lexical)
        if stored.dense is not None:
            c.dense = stored.dense

    for s in index.dense(vector, k, flt):
        take(s, "dense")
    if own is not None:
        for s in index.dense(vector, k, own):
            take(s, "own")
    if hasattr(index.lexicon, "query_vector"):  # the server's lexicon orders by meaning
        index.lexicon.query_vector = np.asarray(vector, dtype=np.float32).tolist()
    content = [w for w in words(query) if w not in STOPWORDS]
    lexical = dict(index.lexicon.search(content, k, flt))
    phrase = index.lexicon.phrase(fragment, PHRASE, flt) if fragment else []
    missing = [i for i in [*lexical, *phrase] if i not in found]
    for s in index.fetch(missing, vectors=True):
        s.dense = float(s.vector @ vector) if s.vector is not None else 0.0
        take(s, "lexical")
    for i, score in lexical.items():
        if i in found:
            found[i].lexical = score
            found[i].found_by.add("lexical")
    for i in phrase:
        if i in found:
            found[i].found_by.add("phrase")
    return list(found.values())
