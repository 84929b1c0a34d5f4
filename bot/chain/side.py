"""The side index: every quote record of one store generation in memory — vectors, BM25,
word trigrams, the alias table and pronoun genders — rebuilt from Chroma when the generation moves,
so every process on one Chroma server answers the same way.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import bm25s
import numpy as np

from bot.chain.verify import fold, stem, terms, trigrams, words
from store.index import QuoteIndex, hit_from, pages
from store.speakers import PRONOUNS, build_alias_table, canonical_key, match_speaker
from store.types import Hit

# bm25s sets its logger to DEBUG on import; its index-building chatter is not for our users.
logging.getLogger("bm25s").setLevel(logging.WARNING)

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


def _genders(hits: list[Hit], canonical: list[str]) -> dict[str, str]:
    """ "she"/"Ms" mentions make a speaker "f", "he"/"Mr" "m" (majority vote)."""
    votes: dict[str, Counter[str]] = {}
    for h, name in zip(hits, canonical, strict=True):
        first = fold(h.speaker_mention).split()[:1]
        g = {"she": "f", "her": "f", "ms": "f", "mrs": "f", "he": "m", "him": "m", "mr": "m"}
        if name and first and first[0].strip(".") in g:
            votes.setdefault(name, Counter())[g[first[0].strip(".")]] += 1
    return {name: c.most_common(1)[0][0] for name, c in votes.items()}
