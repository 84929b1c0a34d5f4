"""Retrieval for one question: filters from what it asks, candidates from the store (stage one,
``candidates``), their support scores (stage two, ``rank``), one hit per passage, best first.

A question costs a few Chroma reads (the generation, speaker lookups, one HNSW query, records by
id) and one lexical query; time and memory do not grow with the corpus beyond Chroma's own index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from bot.chain import ranker
from bot.chain.candidates import Candidate, gather
from bot.chain.people import People
from bot.chain.question import Question
from bot.chain.ranker import score_all
from bot.chain.verify import fold, words
from store.index import Filter, QuoteIndex, Stored
from store.types import Hit

ALL_OF_ONE = 500  # "what did X say?": at most this many of X's quotes are read
SHOWN = 12  # hits that get their shown speaker name (an answer cites at most top_k of them)


@dataclass
class Retrieval:
    """Scored candidates for one question (best first) and what the question resolved to."""

    question: Question
    hits: list[Hit]
    speakers: set[str] = field(default_factory=set)  # shown names of the asked-for speaker
    note: str = ""
    forms: set[str] = field(default_factory=set)  # the asked-for speaker's stored names
    empty: bool = False  # nothing is indexed at all


@lru_cache(maxsize=2048)
def _vector(embedder: Any, text: str) -> np.ndarray:
    """A query vector: the numpy forward pass (``store.minilm``), so asking never imports torch."""
    return np.asarray(embedder.question(text), dtype=np.float32)


def query_vector(embedder: Any, text: str) -> np.ndarray:
    return _vector(embedder, text)


def _months(q: Question) -> tuple[int, int] | None:
    if q.year and q.month:
        return (q.year * 100 + q.month, q.year * 100 + q.month)
    if q.year:
        return (q.year * 100 + 1, q.year * 100 + 12)
    return None


def _source_filter(index: QuoteIndex, people: People, name: str, flt: Filter) -> Filter:
    """ "in the Times": its publisher, else the articles whose title or publisher names it."""
    bare = fold(re.sub(r"^the\s+", "", name, flags=re.I))
    publishers = [p for p in people.publishers() if bare in fold(p)]
    if publishers:
        return replace(flt, publishers=publishers)
    titled = index.names.search("article", bare, 200)
    return replace(flt, doc_ids=[str(a["doc_id"]) for a in titled]) if titled else flt


@dataclass
class Pool:
    """Stage one's result: the candidates, or why there are none, and the shown speaker names."""

    candidates: list[Candidate]
    speakers: set[str]
    note: str = ""
    forms: set[str] = field(default_factory=set)
    empty: bool = False
    listing: bool = False  # "what did X say?": every quote of X, no ranking


def pool_for(index: QuoteIndex, people: People, q: Question, candidates: int = 40) -> Pool:
    """Filters from the question, then the candidates within them (stage one)."""
    if people.empty():
        return Pool([], set(), empty=True)
    rows = people.rows(q.speaker) if q.speaker else []
    if q.speaker and not rows:
        return Pool([], set(), note=f"No quotes by {q.speaker} are indexed.")
    forms = people.speakers_for(q.speaker) if q.speaker else []
    shown = {people.canon(str(r["name"])) for r in rows}
    base = Filter(months=_months(q), one_copy=True)  # an answer cites one copy of a quote
    if q.source:
        base = _source_filter(index, people, q.source, base)
    if q.exclude_speakers:
        excluded = [f for n in q.exclude_speakers for f in people.speakers_for(n)]
        base = replace(base, exclude_speakers=excluded)
    flt = replace(base, speakers=forms) if forms and q.intent != "did" else base
    if not q.query:  # "what did X say?": X's quotes, direct quotes and longer ones first
        found = [Candidate(s) for s in index.filtered(flt, ALL_OF_ONE)]
        found = [c for c in found if not _already_given(c, q)]
        found.sort(key=lambda c: (c.meta.get("kind") == "indirect", -len(c.meta.get("quote", ""))))
        return Pool(found, shown, forms=set(forms), listing=True)
    vector = query_vector(index.embedder, q.query)
    own = replace(base, speakers=forms) if forms and q.intent == "did" else None
    lexical = f"{q.query} {q.kind}"  # "which senator …": the kind is in the speaker's role
    pool = gather(index, vector, lexical, q.fragment, flt, candidates, own)
    pool = [c for c in pool if not _already_given(c, q)]
    return Pool(_to_outer_speakers(index, q, pool, flt), shown, forms=set(forms))


def retrieve(index: QuoteIndex, people: People, q: Question, candidates: int = 40) -> Retrieval:
    """Candidates for a question (stage one), scored (stage two), one per passage, best first."""
    pool = pool_for(index, people, q, candidates)
    if pool.listing or not pool.candidates:
        scores = [1.0] * len(pool.candidates)
        ranked = pool.candidates
    else:
        scores = score_all(pool.candidates, q, ranker.load())
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], pool.candidates[i].id))
        ranked, scores = [pool.candidates[i] for i in order], [scores[i] for i in order]
    hits = _hits(people, ranked, scores)
    return Retrieval(q, hits, pool.speakers, pool.note, pool.forms, pool.empty)


def _already_given(c: Candidate, q: Question) -> bool:
    """ "What else did she say?": passages the conversation already quoted are left out."""
    if not q.exclude:
        return False
    quote = " ".join(c.quote_words)
    return any(quote in " ".join(words(p)) for p in q.exclude)


def _to_outer_speakers(
    index: QuoteIndex, q: Question, pool: list[Candidate], flt: Filter
) -> list[Candidate]:
    """ "According to X, …," Y said: the words are Y's (X is Y's source). A candidate cued by
    "according to" inside another speaker's record gives way to that record."""
    if re.search(r"\baccording to whom\b", q.text, re.I):  # asks for the source itself
        return pool
    around = _records_of(index, [c for c in pool if _cued(c)], flt)
    out: dict[str, Candidate] = {}
    for c in pool:
        holder = _holder(around[c.hit.doc_id], c) if c.hit.doc_id in around and _cued(c) else None
        if holder is not None:
            holder.dense, holder.lexical = c.dense, c.lexical
            holder.found_by |= c.found_by
        target = holder or c
        out.setdefault(target.id, target)
    return list(out.values())


def _cued(c: Candidate) -> bool:
    return fold(c.hit.cue).strip() == "according to"


def _records_of(index: QuoteIndex, cued: list[Candidate], flt: Filter) -> dict[str, list[Stored]]:
    """The records within the filter that hold a cued candidate's span, by article: one read
    for all of them (a read per candidate cost ~80 ms each at 700k records)."""
    found = index.holding([(c.hit.doc_id, c.hit.start, c.hit.end) for c in cued], flt)
    out: dict[str, list[Stored]] = {}
    for s in found:
        out.setdefault(str(s.meta.get("doc_id", "")), []).append(s)
    return out


def _holder(around: list[Stored], c: Candidate) -> Candidate | None:
    h = c.hit
    holders = [
        Candidate(s)
        for s in around
        if s.id != c.id
        and s.meta.get("speaker")
        and s.meta.get("speaker") != h.speaker
        and int(s.meta.get("start", 0)) <= h.start
        and h.end <= int(s.meta.get("end", 0)) + 2
        and fold(str(s.meta.get("cue", ""))).strip() != "according to"
    ]
    return min(holders, key=lambda o: o.hit.end - o.hit.start) if holders else None


def enclosing(ranked: list[Candidate]) -> dict[str, Hit]:
    """For a record nested in a longer one of the same speaker in the same article (``planned``
    inside "Welch said that he planned to vote for Sanders", a partial quote inside its
    sentence), the shortest such longer record: what the speaker said, not a piece of it."""
    by_place: dict[tuple[str, str], list[Hit]] = {}
    for c in ranked:
        by_place.setdefault((c.hit.doc_id, fold(c.hit.speaker)), []).append(c.hit)
    out: dict[str, Hit] = {}
    for hits in by_place.values():
        for h in hits:
            around = [
                o
                for o in hits
                if o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start)
            ]
            if around:
                out[h.id] = min(around, key=lambda o: (o.end - o.start, o.id))
    return out


def _hits(people: People, ranked: list[Candidate], scores: list[float]) -> list[Hit]:
    """Hits with scores and shown speaker names; overlapping records of one article collapse,
    a nested record shown as the longer record of its speaker that holds it."""
    out: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    outer = enclosing(ranked)
    for c, score in zip(ranked, scores, strict=True):
        h = outer.get(c.hit.id, c.hit)
        spans = taken.setdefault(h.doc_id, [])
        if any(h.start < e and s < h.end for s, e in spans):
            continue
        spans.append((h.start, h.end))
        out.append(replace(h, score=score))
    # Shown names for the head of the ranking (what an answer can cite); the tail keeps the
    # stored names, which ``Retrieval.forms`` also holds for the asked speaker.
    shown = people.canon_many([h.speaker for h in out[:SHOWN]])
    return [replace(h, speaker=shown[h.speaker]) for h in out[:SHOWN]] + out[SHOWN:]
