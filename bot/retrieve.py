"""Hybrid retrieval over quote records: dense (MiniLM) + lexical (BM25) fused by reciprocal rank,
speaker/source/date filters, and a re-ranking that rewards verbatim and word-level support.

The side index (records, vectors, BM25, alias table) is rebuilt from Chroma whenever the index's
generation counter moves, so every process on one Chroma server answers the same way. Questions
cost one Chroma read (the generation) and one query embedding; the rest is in memory.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import bm25s
import numpy as np

from bot.question import Question
from bot.rank import VERBATIM, features, fuse, trigrams, verbatim
from bot.types import Hit
from bot.verify import fold, stem, terms, words
from store.index import QuoteIndex, hit_from, pages
from store.speakers import PRONOUNS, build_alias_table, canonical_key, match_speaker

# bm25s sets its logger to DEBUG on import; its index-building chatter is not for our users.
logging.getLogger("bm25s").setLevel(logging.WARNING)

PLAIN_CUES = {"said", "say", "says", "told", "tells", "tell", "stated"}
_PAGE = 1000
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[QuoteIndex, SideIndex] = weakref.WeakKeyDictionary()


@dataclass
class SideIndex:
    """Everything a question needs, in memory, for one generation of the store."""

    generation: str
    hits: list[Hit]
    texts: list[list[str]]  # words of the searched text (quote or its sentence), for verbatim runs
    termsets: list[frozenset[str]]  # stemmed content words of the same text (coverage)
    quote_words: list[list[str]]
    paragraphs: list[list[str]]  # words of the quote's paragraph (interrupted quotes)
    shingles: dict[tuple[str, ...], list[int]]  # word trigram → records (verbatim candidates)
    cues: list[frozenset[str]]  # stemmed cue words ("warning" → "warn")
    vectors: np.ndarray
    bm25: Any
    aliases: dict[str, str]
    canonical: list[str]  # canonical speaker per record ("" = unattributed)
    gender: dict[str, str] = field(default_factory=dict)
    by_doc: dict[str, list[int]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    outer: dict[int, int] = field(default_factory=dict)  # "according to X" record → who said it
    display: dict[str, str] = field(default_factory=dict)  # any surface/alias → record speaker

    @property
    def attributed(self) -> np.ndarray:
        """Mask of records that have a speaker (only those can answer "who said")."""
        if self._attributed is None:
            self._attributed = np.array([bool(c) for c in self.canonical], dtype=bool)
        return self._attributed

    _attributed: np.ndarray | None = None

    def canon(self, name: str) -> str:
        """The speaker name records carry for any surface or alias of it."""
        return self.display.get(name) or self.display.get(self.aliases.get(name, ""), name)

    def record(self, i: int, score: float = 0.0) -> Hit:
        """Record i as a Hit carrying its canonical speaker."""
        return replace(self.hits[i], speaker=self.canonical[i], score=score)

    def find_names(self, text: str) -> list[str]:
        """Canonical speakers whose surface names occur in a text, first mention first."""
        found: dict[str, int] = {}
        for surface, canonical in self.display.items():
            if len(surface) < 3 or surface.lower() in {"he", "she", "they", "it", "we"}:
                continue
            m = re.search(rf"(?<!\w){re.escape(surface)}(?!\w)", text)
            if m and (canonical not in found or m.start() < found[canonical]):
                found[canonical] = m.start()
        return sorted(found, key=found.__getitem__)

    def speakers_for(self, name: str) -> set[str]:
        """Canonical names a user's words refer to (aliases, then roles like "US ambassador")."""
        found = {self.canon(n) for n in match_speaker(name, self.aliases)}
        if not found:
            key = canonical_key(name).replace(".", "")
            found = {
                self.canon(c)
                for s, c in self.aliases.items()
                if canonical_key(s).replace(".", "") == key
            }
        if not found:
            wanted = set(words(re.sub(r"^the\s+", "", name, flags=re.I)))
            found = {
                self.canonical[i]
                for i, h in enumerate(self.hits)
                if wanted and wanted <= set(words(f"{h.speaker_role} {h.speaker_mention}"))
            }
        return (found & set(self.canonical)) - {""}


def side_index(index: QuoteIndex) -> SideIndex:
    """The side index for the store's current generation (rebuilt once per change, per process)."""
    generation = index.generation()
    cached = _cache.get(index)
    if cached and cached.generation == generation:
        return cached
    with _lock:
        cached = _cache.get(index)
        if not (cached and cached.generation == generation):
            cached = _cache[index] = build_side_index(index, generation)
        return cached


def _records(index: QuoteIndex) -> tuple[list[str], list[dict[str, Any]], list[str], list[Any]]:
    """Every quote record with its stored vector (no re-embedding), page by page."""
    ids: list[str] = []
    metas: list[dict[str, Any]] = []
    docs: list[str] = []
    vecs: list[Any] = []
    include = ["metadatas", "documents", "embeddings"]
    for page in pages(index.quotes, include, size=_PAGE):
        ids += page["ids"]
        metas += [dict(m) for m in page["metadatas"]]
        docs += [d or "" for d in page["documents"]]
        vecs += list(page["embeddings"]) if len(page["ids"]) else []
    return ids, metas, docs, vecs


def build_side_index(index: QuoteIndex, generation: str) -> SideIndex:
    """Read every quote record once and build vectors, BM25, aliases and pronoun genders."""
    ids, metas, docs, vecs = _records(index)
    hits = [hit_from(i, m) for i, m in zip(ids, metas, strict=True)]
    names = [n for h in hits for n in (h.speaker, h.speaker_mention) if n]
    aliases = build_alias_table(names)
    canonical = _fullest_per_article(hits, [_canonical(h, aliases) for h in hits])
    searched = [
        _sentence(m, h) if d == h.quote or h.quote not in d else d
        for d, m, h in zip(docs, metas, hits, strict=True)
    ]
    bm25 = bm25s.BM25()
    corpus = [terms(t) or ["_"] for t in searched]
    if corpus:
        bm25.index(corpus, show_progress=False)
    texts = [words(t) for t in searched]
    by_doc: dict[str, list[int]] = {}
    for i, h in enumerate(hits):
        by_doc.setdefault(h.doc_id, []).append(i)
    vectors = np.asarray(vecs, dtype=np.float32).reshape(len(hits), -1 if hits else 384)
    return SideIndex(
        generation=generation,
        hits=hits,
        texts=texts,
        termsets=[frozenset(t) for t in corpus],
        quote_words=[words(h.quote) for h in hits],
        paragraphs=_paragraph_words(hits),
        shingles=_shingles(texts),
        cues=[frozenset(stem(w) for w in words(h.cue)) for h in hits],
        vectors=vectors,
        bm25=bm25 if corpus else None,
        aliases=aliases,
        canonical=canonical,
        gender=_genders(hits, canonical),
        by_doc=by_doc,
        outer=_outer_speakers(hits, canonical, by_doc),
        sources=sorted({h.publisher for h in hits if h.publisher}),
        display=_display(hits, canonical, aliases),
    )


def _shingles(texts: list[list[str]]) -> dict[tuple[str, ...], list[int]]:
    """Word trigrams → the records whose searched text holds them."""
    index: dict[tuple[str, ...], list[int]] = {}
    for i, text in enumerate(texts):
        for gram in trigrams(text):
            index.setdefault(gram, []).append(i)
    return index


def _paragraph_words(hits: list[Hit]) -> list[list[str]]:
    """Words of each record's paragraph; records of one paragraph share one list."""
    shared: dict[tuple[str, int], list[str]] = {}
    return [
        shared.setdefault((h.doc_id, h.context_start), words(h.context or h.quote)) for h in hits
    ]


def _canonical(h: Hit, aliases: dict[str, str]) -> str:
    """The record's speaker under its fullest name ("Son Hui" → "Choe Son Hui" via the mention)."""
    if not h.speaker:
        return ""
    name = aliases.get(h.speaker, h.speaker)
    fuller = aliases.get(h.speaker_mention, "")
    if (
        fuller
        and fuller != name
        and set(canonical_key(name).split()) < set(canonical_key(fuller).split())
    ):
        return fuller
    return name


def _display(hits: list[Hit], canonical: list[str], aliases: dict[str, str]) -> dict[str, str]:
    """Surface names and alias-table names → the speaker name their records carry."""
    votes: dict[str, Counter[str]] = {}
    for h, name in zip(hits, canonical, strict=True):
        if not name:
            continue
        for surface in (h.speaker, aliases.get(h.speaker, ""), h.speaker_mention, name):
            if surface and fold(surface) not in PRONOUNS:
                votes.setdefault(surface, Counter())[name] += 1
    return {surface: c.most_common(1)[0][0] for surface, c in votes.items()}


def _fullest_per_article(hits: list[Hit], names: list[str]) -> list[str]:
    """Within one article, a shorter name becomes the fuller one that contains it."""
    by_doc: dict[str, set[str]] = {}
    for h, name in zip(hits, names, strict=True):
        if name:
            by_doc.setdefault(h.doc_id, set()).add(name)
    out = []
    for h, name in zip(hits, names, strict=True):
        key = set(canonical_key(name).split())
        fuller = [
            other
            for other in by_doc.get(h.doc_id, ())
            if key and key < set(canonical_key(other).split()) and _one_name(other)
        ]
        out.append(min(fuller, key=len) if fuller else name)
    return out


def _outer_speakers(
    hits: list[Hit], canonical: list[str], by_doc: dict[str, list[int]]
) -> dict[int, int]:
    """ "According to X, …," Y said: the words are Y's (X is Y's source), so a record cued by
    "according to" that lies inside another speaker's record points to that record."""
    out: dict[int, int] = {}
    for i, h in enumerate(hits):
        if fold(h.cue).strip() != "according to":
            continue
        holders = [
            j
            for j in by_doc.get(h.doc_id, ())
            if j != i
            and canonical[j]
            and canonical[j] != canonical[i]
            and hits[j].start <= h.start
            and h.end <= hits[j].end + 2
            and fold(hits[j].cue).strip() != "according to"
        ]
        if holders:
            out[i] = min(holders, key=lambda j: hits[j].end - hits[j].start)
    return out


def _one_name(name: str) -> bool:
    """Not a list of people ("Putin and Kim Jong Un") and not a long description."""
    return not re.search(r"\band\b|,|&", name) and len(name.split()) <= 4


def _sentence(meta: dict[str, Any], h: Hit) -> str:
    """The sentence(s) around a quote, from the stored context (the quote's subject lives there)."""
    context, offset = str(meta.get("context", "")), int(meta.get("context_start", 0) or 0)
    start, end = h.start - offset, h.end - offset
    if not context or start < 0 or end > len(context):
        return h.quote
    left = max(context.rfind(". ", 0, start), context.rfind("\n", 0, start)) + 1
    stops = [i for i in (context.find(". ", end), context.find("\n", end)) if i != -1]
    return context[left : min(stops) + 1 if stops else len(context)].strip()


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


def _genders(hits: list[Hit], canonical: list[str]) -> dict[str, str]:
    """ "she"/"Ms" mentions make a speaker "f", "he"/"Mr" "m" (majority vote)."""
    votes: dict[str, Counter[str]] = {}
    for h, name in zip(hits, canonical, strict=True):
        first = fold(h.speaker_mention).split()[:1]
        g = {"she": "f", "her": "f", "ms": "f", "mrs": "f", "he": "m", "him": "m", "mr": "m"}
        if name and first and first[0].strip(".") in g:
            votes.setdefault(name, Counter())[g[first[0].strip(".")]] += 1
    return {name: c.most_common(1)[0][0] for name, c in votes.items()}


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
