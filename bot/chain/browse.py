"""Browsing the store without asking: quotes by speaker/text/article, and the speaker list.

Both read through the index (filtered Chroma reads, the lexical index, the speaker table) and the
chain's ``People``, so they agree with ``ask`` on who is who (one shown name per speaker, aliases
merged across articles).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.chain.people import People
from bot.chain.retrieve import query_vector
from bot.chain.verify import STOPWORDS, fold, words
from store.errors import InputError
from store.index import Filter, QuoteIndex, hit_from
from store.index.names import name_key, shown_key
from store.speakers import PRONOUNS
from store.types import Hit

LISTED = 1000  # quotes of one speaker or article read for a listing


def find_quotes(
    index: QuoteIndex,
    people: People,
    speaker: str = "",
    q: str = "",
    doc_id: str = "",
    limit: int = 20,
) -> list[Hit]:
    """Quotes filtered by speaker (any alias), article and text; text matches rank first."""
    if not 1 <= limit <= 1000:
        raise InputError(f"limit must be between 1 and 1000, not {limit}.")
    people.refresh()
    flt = Filter()
    if speaker.strip():
        forms = people.speakers_for(speaker.strip())
        if not forms:
            return []
        flt = replace(flt, speakers=forms)
    if doc_id.strip():
        flt = replace(flt, doc_ids=[doc_id.strip()])
    if not q.strip():
        found = sorted(
            (hit_from(s.id, s.meta) for s in index.filtered(flt, LISTED)),
            key=lambda h: (h.doc_id, h.start),
        )
        return [_shown(people, h, 1.0) for h in found[:limit]]
    return _text_search(index, people, q, flt, limit)


def _text_search(index: QuoteIndex, people: People, q: str, flt: Filter, limit: int) -> list[Hit]:
    """Lexical matches within the filter, records holding the phrase verbatim first."""
    if hasattr(index.lexicon, "query_vector"):
        index.lexicon.query_vector = query_vector(index.embedder, q).tolist()
    content = [w for w in words(q) if w not in STOPWORDS]
    scored = dict(index.lexicon.search(content, limit * 3, flt))
    phrase = " ".join(words(q))
    ranked = []
    for s in index.fetch([*index.lexicon.phrase(q, limit, flt), *scored]):
        verbatim = bool(phrase) and f" {phrase} " in f" {' '.join(words(s.meta['quote']))} "
        if verbatim or scored.get(s.id, 0) > 0:
            ranked.append((not verbatim, -scored.get(s.id, 0.0), s.id, s))
    ranked.sort(key=lambda r: r[:3])
    top = max((-r[1] for r in ranked), default=1.0) or 1.0
    return [
        _shown(people, hit_from(sid, s.meta), 1.0 if not later else 0.9 * -neg / top)
        for later, neg, sid, s in ranked[:limit]
    ]


def _shown(people: People, h: Hit, score: float) -> Hit:
    return replace(h, speaker=people.canon(h.speaker), score=score)


def list_speakers(index: QuoteIndex, limit: int = 100_000) -> list[dict[str, Any]]:
    """Speakers with aliases and counts, most quoted first; a one-word name that is the surname
    of a fuller one is merged into it ("Putin" into "Vladimir Putin")."""
    rows = index.names.search("name", "", limit)
    by_key = {str(r["key"]): r for r in rows}
    by_last: dict[str, dict[str, dict[str, Any]]] = {}  # a speaker is shown as one ending alike
    for key, r in by_key.items():
        by_last.setdefault(key.split()[-1] if key else "", {})[key] = r
    merged: dict[str, dict[str, Any]] = {}
    for key, r in sorted(by_key.items(), key=lambda kv: -int(kv[1].get("quotes", 0))):
        target = shown_key(key, by_last[key.split()[-1] if key else ""])
        name = str(by_key[target]["name"])
        out = merged.setdefault(
            name, {"speaker": name, "aliases": set(), "quotes": 0, "articles": 0}
        )
        out["quotes"] += int(r.get("quotes", 0))
        out["articles"] += int(r.get("articles", 0))
        surfaces = [str(r["name"]), *str(r.get("aliases", "")).split("|")]
        out["aliases"] |= {a for a in surfaces if a and a != name and _is_alias(a)}
    listed = [{**m, "aliases": sorted(m["aliases"])} for m in merged.values()]
    return sorted(listed, key=lambda r: (-r["quotes"], -r["articles"], r["speaker"].lower()))


def _is_alias(surface: str) -> bool:
    folded = fold(surface).strip()
    return folded not in PRONOUNS and folded not in STOPWORDS and bool(name_key(surface))


def find_speakers(
    index: QuoteIndex, people: People, typed: str, limit: int
) -> list[dict[str, Any]]:
    """Speakers whose name or an alias holds the typed text, most quoted first; rows shown under
    one name ("Shea" shown as "Dorothy Shea") are one speaker, the shorter name an alias."""
    rows = index.names.search("name", typed, limit * 3)
    shown = people.canon_many([str(r["name"]) for r in rows])
    merged: dict[str, dict[str, Any]] = {}
    for r in rows:
        name = shown[str(r["name"])]
        out = merged.setdefault(name, {"speaker": name, "aliases": [], "quotes": 0, "articles": 0})
        for alias in [str(r["name"]), *str(r.get("aliases", "")).split("|")]:
            if alias and alias != name and alias not in out["aliases"]:
                out["aliases"].append(alias)
        out["quotes"] += int(r.get("quotes", 0))
        out["articles"] += int(r.get("articles", 0))
    ranked = sorted(merged.values(), key=lambda m: (-m["quotes"], m["speaker"]))
    return ranked[:limit]
