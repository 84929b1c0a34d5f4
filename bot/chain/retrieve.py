"""Hybrid retrieval over the side index: dense (MiniLM) + lexical (BM25) fused by reciprocal
rank, speaker/source/date filters, and a re-ranking that rewards verbatim and word-level support.

Questions cost one Chroma read (the generation) and one query embedding; the rest is in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from bot.chain.question import Question
from bot.chain.rank import VERBATIM, features, fuse, verbatim
from bot.chain.side import SideIndex
from bot.chain.verify import fold, stem, terms, words
from store.types import Hit

PLAIN_CUES = {"said", "say", "says", "told", "tells", "tell", "stated"}


@lru_cache(maxsize=2048)
def _vector(embedder: Any, text: str) -> np.ndarray:
    """A query vector, computed on one thread: on a busy machine a short text on several
    threads takes ~10x longer (thread contention), and one query gains nothing from them."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return np.asarray(embedder.encode([text])[0], dtype=np.float32)
    finally:
        torch.set_num_threads(threads)


def query_vector(embedder: Any, text: str) -> np.ndarray:
    return _vector(embedder, text)


@dataclass
class Retrieval:
    """Scored candidates for one question (best first) and what the question resolved to."""

    question: Question
    hits: list[Hit]
    speakers: set[str] = field(default_factory=set)
    side: SideIndex | None = None
    note: str = ""


def _filters(side: SideIndex, q: Question, speakers: set[str]) -> np.ndarray:
    """Which records the question may cite (attributed, and matching speaker/source/date)."""
    keep = side.attributed.copy()
    if speakers:
        keep &= np.array([c in speakers for c in side.canonical], dtype=bool)
    if q.exclude_speakers:
        keep &= np.array([c not in q.exclude_speakers for c in side.canonical], dtype=bool)
    if q.source:
        name = fold(re.sub(r"^the\s+", "", q.source, flags=re.I))
        by_source = np.array([name in fold(f"{h.publisher} {h.title}") for h in side.hits])
        keep &= by_source if by_source.any() else True
    if q.month or q.year:
        dated = np.array([_in_period(h.published, q.month, q.year) for h in side.hits])
        keep &= dated if dated.any() else True
    if q.exclude:
        given = [" ".join(words(p)) for p in q.exclude]
        keep &= np.array([not any(" ".join(words(h.quote)) in g for g in given) for h in side.hits])
    return keep


def _in_period(published: str, month: int | None, year: int | None) -> bool:
    """Does an ISO date ("2024-10-14…") fall in the asked month and/or year?"""
    m = re.match(r"(\d{4})-(\d{2})", published)
    if not m:
        return False
    return (not year or int(m.group(1)) == year) and (not month or int(m.group(2)) == month)


def retrieve(side: SideIndex, q: Question, embedder: Any, candidates: int = 40) -> Retrieval:
    """Candidates for a question, scored and de-duplicated, best first."""
    speakers = side.speakers_for(q.speaker) if q.speaker else set()
    if q.speaker and not speakers:
        return Retrieval(q, [], speakers, side, note=f"No quotes by {q.speaker} are indexed.")
    filtered = speakers if q.intent != "did" else set()
    keep = _filters(side, q, filtered)
    idx = np.flatnonzero(keep)
    if not len(idx):
        return Retrieval(q, [], speakers, side)
    if not q.query:  # "what did X say?": every quote of X, direct quotes and longer ones first
        hits = side.hits
        order = sorted(
            idx.tolist(), key=lambda i: (hits[i].kind == "indirect", -len(hits[i].quote))
        )
        return Retrieval(q, _scored(side, order, [1.0] * len(order)), speakers, side)
    dense = side.vectors @ query_vector(embedder, q.query)
    tokens = terms(q.query)  # empty when the query is all stopwords ("what did he say to them")
    lexical = side.bm25.get_scores(tokens) if side.bm25 is not None and tokens else dense * 0
    pool = fuse(dense, lexical, idx, candidates)
    if q.fragment:  # records sharing the most word trigrams with the quoted words
        pool += [i for i in verbatim(side, words(q.fragment), keep, VERBATIM) if i not in pool]
    if q.intent == "did" and speakers:  # also the named speaker's best, to answer yes or no
        own = np.array([i for i in idx if side.canonical[i] in speakers], dtype=np.int64)
        if len(own):
            ranked = own[np.argsort(-dense[own])[:candidates]].tolist()
            pool += [i for i in ranked if i not in pool]
    wanted, needle = set(terms(q.query)), words(q.fragment or q.query)
    quoted = len(needle) if q.fragment else 0
    cue = stem(q.cue) if q.cue and q.cue not in PLAIN_CUES else ""
    scores = [features(side, i, wanted, needle, float(dense[i]), cue).score(quoted) for i in pool]
    # "According to whom…?" asks for the source itself, not the speaker who cited it.
    outer = {} if re.search(r"\baccording to whom\b", q.text, re.I) else side.outer
    best: dict[int, float] = {}
    for i, score in zip(pool, scores, strict=True):
        j = outer.get(i, i) if keep[outer.get(i, i)] else i
        best[j] = max(best.get(j, score), score)
    ranked = sorted(best, key=lambda j: -best[j])
    return Retrieval(q, _scored(side, ranked, [best[j] for j in ranked]), speakers, side)


def _scored(side: SideIndex, order: list[int], scores: list[float]) -> list[Hit]:
    """Hits with scores and canonical speakers; overlapping records of one article collapse."""
    out: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for i, score in zip(order, scores, strict=True):
        h = side.hits[i]
        spans = taken.setdefault(h.doc_id, [])
        if any(h.start < e and s < h.end for s, e in spans):
            continue
        spans.append((h.start, h.end))
        out.append(side.record(i, score))
    return out
