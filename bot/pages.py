"""Speaker pages: every quote of one person (aliases merged), by article, on a timeline.

Built over the facade only: ``Bot.find_speakers`` resolves the typed name, ``Bot.quotes`` reads
that speaker's quotes (the store is never read whole). The same words quoted in several
articles are grouped: shown once, where they first appeared, "also in N articles".
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.export import Format, file_name, hits_to
from store.errors import InputError, NotFoundError
from store.types import Hit

MAX_QUOTES = 1000  # what one ``Bot.quotes`` call may return
MIN_CONTAINED_WORDS = 6  # a shorter quote inside a longer one is not called a repeat of it
_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def published_day(published: str) -> date | None:
    """The date of an article's ``published`` field (ISO ``YYYY-MM-DD…``), None if undated."""
    m = _DAY.match(published or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:  # 2024-13-45
        return None


def words_of(text: str) -> tuple[str, ...]:
    """Case-, accent- and punctuation-blind words: what makes two quotes "the same words"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return tuple(re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c))))


@dataclass
class PageQuote:
    """A quote where it first appeared, and the same words quoted elsewhere (``repeats``)."""

    hit: Hit
    repeats: list[Hit] = field(default_factory=list)

    @property
    def also_in(self) -> list[str]:
        """Doc ids of the other articles that quote the same words."""
        return sorted({h.doc_id for h in self.repeats} - {self.hit.doc_id})

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.hit.citation(),
            "also_in": self.also_in,
            "repeats": [h.citation() for h in self.repeats],
        }


@dataclass
class ArticleGroup:
    """One article of the page: the quotes first seen in it (text order), and its repeats."""

    doc_id: str
    title: str
    publisher: str
    published: str
    source_path: str
    day: date | None
    quotes: list[PageQuote] = field(default_factory=list)
    repeated: list[Hit] = field(default_factory=list)  # quotes first seen in an older article

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published,
            "date": self.day.isoformat() if self.day else None,
            "source_path": self.source_path,
            "quotes": [q.to_dict() for q in self.quotes],
            "repeated": [h.citation() for h in self.repeated],
        }


@dataclass
class SpeakerPage:
    """A speaker's quotes grouped by article, oldest article first (undated ones last)."""

    speaker: str
    aliases: list[str]
    hits: list[Hit]  # every quote, repeats included (what exports list)
    articles: list[ArticleGroup]
    truncated: bool = False  # more quotes exist than were read

    def timeline(self, by: str = "auto") -> list[dict[str, Any]]:
        """Quotes per published day or month (``by="day"|"month"|"auto"``), oldest first.

        ``auto`` picks months when the quotes span more than 90 days. Undated quotes are left
        out (``undated`` counts them).
        """
        days = [d for d in (published_day(h.published) for h in self.hits) if d]
        if by == "auto":
            by = "month" if days and (max(days) - min(days)).days > 90 else "day"
        if by not in {"day", "month"}:
            raise InputError(f"timeline by must be day, month or auto, not {by!r}.")
        counts: dict[str, int] = {}
        for d in days:
            key = d.isoformat() if by == "day" else d.isoformat()[:7]
            counts[key] = counts.get(key, 0) + 1
        return [{"date": k, "quotes": counts[k]} for k in sorted(counts)]

    @property
    def undated(self) -> int:
        return sum(1 for h in self.hits if published_day(h.published) is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "aliases": self.aliases,
            "quotes": len(self.hits),
            "distinct_quotes": sum(len(a.quotes) for a in self.articles),
            "articles": [a.to_dict() for a in self.articles],
            "timeline": self.timeline(),
            "undated": self.undated,
            "truncated": self.truncated,
        }

    def export(self, fmt: Format) -> str:
        """The page as a file: JSON is ``to_dict()``; CSV and Markdown list every quote (repeats
        included) oldest first, each with its citation."""
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        return hits_to(fmt, self.hits, heading=f"Quotes by {self.speaker}")

    def file_name(self, fmt: Format) -> str:
        return file_name(self.speaker, fmt)


def speaker_page(bot: Any, name: str, limit: int = 500) -> SpeakerPage:
    """The page of the speaker a user's ``name`` refers to (canonical name or any alias)."""
    typed = name.strip()
    if not typed:
        raise InputError("Type a speaker's name (or an alias such as a surname).")
    if not 1 <= limit <= MAX_QUOTES:
        raise InputError(f"limit must be between 1 and {MAX_QUOTES}, not {limit}.")
    row = _resolve(bot, typed)
    hits = bot.quotes(speaker=row["speaker"], limit=limit) if row else []
    if not row:  # not a name or alias the picker knows: the facade may still resolve it (a role)
        hits = bot.quotes(speaker=typed, limit=limit)
        names = {h.speaker for h in hits}
        row = {"speaker": names.pop() if len(names) == 1 else typed, "aliases": [], "quotes": 0}
    if not hits:
        raise NotFoundError(
            f"No speaker called {typed!r} is quoted in the indexed articles. "
            "See GET /api/speakers for the names."
        )
    return SpeakerPage(
        speaker=row["speaker"],
        aliases=list(row.get("aliases", [])),
        hits=sorted(hits, key=_when),
        articles=_group(hits),
        truncated=len(hits) >= limit and row.get("quotes", 0) > limit,
    )


def _resolve(bot: Any, typed: str) -> dict[str, Any] | None:
    """The speaker row whose name or alias is the typed text, else the best partial match."""
    rows = bot.find_speakers(typed, 20)
    key = words_of(typed)
    exact = [r for r in rows if key in {words_of(n) for n in [r["speaker"], *r["aliases"]]}]
    return (exact or rows or [None])[0]


def _when(hit: Hit) -> tuple[bool, date, str, int]:
    """Oldest first, undated last; ties in article then text order."""
    day = published_day(hit.published)
    return (day is None, day or date.min, hit.doc_id, hit.start)


def _group(hits: list[Hit]) -> list[ArticleGroup]:
    """Articles oldest first; a quote repeated later is listed where it first appeared, and
    the later article lists it under ``repeated``."""
    firsts: list[tuple[tuple[str, ...], PageQuote]] = []
    groups: dict[str, ArticleGroup] = {}
    for hit in sorted(hits, key=_when):
        group = groups.get(hit.doc_id)
        if group is None:
            day = published_day(hit.published)
            group = ArticleGroup(
                hit.doc_id, hit.title, hit.publisher, hit.published, hit.source_path, day
            )
            groups[hit.doc_id] = group
        key = words_of(hit.quote)
        earlier = next((q for k, q in firsts if _same_words(k, key)), None)
        if earlier is None:
            first = PageQuote(hit)
            firsts.append((key, first))
            group.quotes.append(first)
        else:
            earlier.repeats.append(hit)
            group.repeated.append(hit)
    return list(groups.values())


def _same_words(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal words, or the shorter (of at least MIN_CONTAINED_WORDS) as a run in the longer."""
    if a == b:
        return bool(a)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_CONTAINED_WORDS:
        return False
    return f" {' '.join(short)} " in f" {' '.join(long)} "
