"""The facade's reads for browsing: articles, quotes by speaker, the pickers' lookups, the
speaker list, health and stats (mixed into ``bot.core.Bot``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.ingest import disk_usage
from bot.settings import Settings
from store.index import QuoteIndex, hit_from
from store.types import Hit


class Browsing:
    """Needs the facade's ``index``, ``people`` and ``settings``."""

    index: QuoteIndex
    people: Any
    settings: Settings

    def document(self, doc_id: str) -> dict[str, Any]:
        with self.index.reaching():
            return self.index.get_article(doc_id)

    def quotes(
        self, speaker: str = "", q: str = "", doc_id: str = "", limit: int = 20
    ) -> list[Hit]:
        """Quotes by speaker (any alias), article and text (indexed reads, not a scan)."""
        from bot.chain.browse import find_quotes

        with self.index.reaching():
            return find_quotes(self.index, self.people, speaker, q, doc_id, limit)

    def copies(self, hits: Sequence[Hit], limit: int = 50) -> list[Hit]:
        """The same quotes of the same speakers in other articles (another edition, a wire
        story), in the order written, under the names the hits show: a search gives one copy
        of each quote, a publisher's or a date's filter may want another."""
        with self.index.reaching():
            found = self.index.copies([h.id for h in hits], limit)
        shown = self.people.canon_many([str(s.meta.get("speaker", "")) for s in found])
        return [
            replace(h, speaker=shown[h.speaker]) for h in (hit_from(s.id, s.meta) for s in found)
        ]

    def find_speakers(self, prefix: str, limit: int = 20) -> list[dict[str, Any]]:
        """Speakers whose name or an alias contains the typed text (pickers that search as
        you type), most quoted first: ``{"speaker", "aliases", "quotes", "articles"}``."""
        from bot.chain.browse import find_speakers

        with self.index.reaching():
            return find_speakers(self.index, self.people, prefix, limit)

    def find_articles(self, prefix: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles whose title or publisher contains the typed text: ``{"doc_id", "title",
        "publisher", "published"}``."""
        with self.index.reaching():
            rows = self.index.names.search("article", prefix, limit)
        return [
            {k: r.get(k, "") for k in ("doc_id", "title", "publisher", "published")} for r in rows
        ]

    def speakers(self) -> list[dict[str, Any]]:
        """Every speaker with aliases and counts, most quoted first (a listing: O(speakers))."""
        from bot.chain.browse import list_speakers

        with self.index.reaching():
            return list_speakers(self.index)

    def health(self) -> dict[str, Any]:
        """Liveness plus index size; a StoreError naming the store when it cannot be read."""
        with self.index.reaching():
            articles, quotes = self.index.counts()
        return {"status": "ok", "articles": articles, "quotes": quotes}

    def stats(self) -> dict[str, Any]:
        """Articles, quotes, speakers and store size (bytes on disk; None on a Chroma server).

        Speakers are canonical names, aliases merged: the people ``/api/speakers`` lists.
        """
        with self.index.reaching():
            articles, quotes = self.index.counts()
            speakers = len(self.speakers())
            generation = self.index.generation()
        url = self.settings.chroma_url or None
        return {
            "articles": articles,
            "quotes": quotes,
            "speakers": speakers,
            "store": url or str(self.settings.store),
            "chroma_url": url,
            "store_bytes": None if url else disk_usage(self.settings.store),
            "generation": generation,
        }
