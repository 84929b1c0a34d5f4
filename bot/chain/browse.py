"""Browsing the store without asking: quotes by speaker/text/article, the speaker list, stats.

All three read the per-generation side index (``bot.chain.side.side_index``), so they agree with
``ask`` on who is who (one canonical name per speaker, aliases merged across articles).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bot.chain.side import SideIndex, side_index
from bot.chain.verify import STOPWORDS, fold, terms, words
from store.errors import InputError
from store.speakers import PRONOUNS
from store.types import Hit


def find_quotes(
    bot: Any, speaker: str = "", q: str = "", doc_id: str = "", limit: int = 20
) -> list[Hit]:
    """Quotes filtered by speaker (any alias), article and text; text matches rank first."""
    if not 1 <= limit <= 1000:
        raise InputError(f"limit must be between 1 and 1000, not {limit}.")
    side = side_index(bot.index)
    keep = side.attributed.copy()
    if speaker.strip():
        names = side.speakers_for(speaker)
        if not names:
            return []
        keep &= np.array([c in names for c in side.canonical], dtype=bool)
    if doc_id.strip():
        keep &= np.array([h.doc_id == doc_id.strip() for h in side.hits], dtype=bool)
    idx = np.flatnonzero(keep)
    if not q.strip():
        order = sorted(idx, key=lambda i: (side.hits[i].doc_id, side.hits[i].start))
        return [_hit(side, i, 1.0) for i in order[:limit]]
    return _text_search(side, idx, q, limit)


def _text_search(side: SideIndex, idx: np.ndarray, q: str, limit: int) -> list[Hit]:
    """BM25 over the kept records, with records holding the phrase verbatim first."""
    if side.bm25 is None or not len(idx):
        return []
    wanted = terms(q)
    scores = side.bm25.get_scores(wanted) if wanted else np.zeros(len(side.hits))
    phrase = " ".join(words(q))
    ranked = []
    for i in idx:
        verbatim = bool(phrase) and phrase in " ".join(side.quote_words[i])
        if verbatim or scores[i] > 0:
            ranked.append((not verbatim, -float(scores[i]), int(i)))
    ranked.sort()
    top = max((-s for _, s, _ in ranked), default=1.0) or 1.0
    return [_hit(side, i, 1.0 if not v else 0.9 * -s / top) for v, s, i in ranked[:limit]]


def _hit(side: SideIndex, i: int, score: float) -> Hit:
    return side.record(i, score)


def list_speakers(bot: Any) -> list[dict[str, Any]]:
    """Every canonical speaker with aliases and counts, most quoted first."""
    side = side_index(bot.index)
    quotes: dict[str, int] = {}
    articles: dict[str, set[str]] = {}
    aliases: dict[str, set[str]] = {}
    for h, name in zip(side.hits, side.canonical, strict=True):
        if not name:
            continue
        quotes[name] = quotes.get(name, 0) + 1
        articles.setdefault(name, set()).add(h.doc_id)
        for surface in (h.speaker, h.speaker_mention):
            if surface and surface != name and _is_alias(surface):
                aliases.setdefault(name, set()).add(surface)
    rows = [
        {
            "speaker": name,
            "aliases": sorted(aliases.get(name, set())),
            "quotes": n,
            "articles": len(articles[name]),
        }
        for name, n in quotes.items()
    ]
    return sorted(rows, key=lambda r: (-r["quotes"], -r["articles"], r["speaker"].lower()))


def _is_alias(surface: str) -> bool:
    folded = fold(surface).strip()
    return folded not in PRONOUNS and folded not in STOPWORDS
