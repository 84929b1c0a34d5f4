"""``QuoteRetriever``: quotebot's verified quotes as LangChain ``Document``s, for any chain.

It wraps the ``Bot`` facade. A question goes through ``Bot.ask``: the documents are the quotes
the answer cites (none when no one said it), plus the same speaker's same words in other
articles, which a publisher or date filter may prefer. With ``speaker=`` the speaker's own
quotes are searched through ``Bot.quotes``. ``page_content`` is always the article's own words:
``article_text[start_index:end_index] == page_content``.

    retriever = QuoteRetriever(bot=Bot.build(), k=3, publisher="Reuters")
    docs = retriever.invoke("Who said the troops would be fair game?")
    docs = retriever.invoke("fair game", speaker="Shea", since="2024-10-01")  # per call
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from bot.pages import MAX_QUOTES, published_day, words_of
from bot.types import Answer
from store.errors import InputError
from store.types import Hit

FILTERS = ("speaker", "publisher", "since", "until")


def parse_day(value: str | date | None, name: str) -> date | None:
    """A filter date from ``YYYY-MM-DD`` (a longer ISO timestamp is cut to its day)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = published_day(str(value))
    if day is None:
        raise InputError(f"{name} must be a date such as 2024-10-31, not {value!r}.")
    return day


@dataclass(frozen=True)
class QuoteFilter:
    """Which quotes a caller wants: speaker (any alias), publisher (part of its name), and
    published dates, inclusive. An undated article passes no date filter."""

    speaker: str = ""
    publisher: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def of(cls, **values: Any) -> QuoteFilter:
        unknown = set(values) - set(FILTERS)
        if unknown:
            raise InputError(f"Unknown filter {sorted(unknown)[0]!r}; use {', '.join(FILTERS)}.")
        return cls(
            speaker=str(values.get("speaker") or "").strip(),
            publisher=str(values.get("publisher") or "").strip(),
            since=parse_day(values.get("since"), "since"),
            until=parse_day(values.get("until"), "until"),
        )

    def __bool__(self) -> bool:
        return any((self.speaker, self.publisher, self.since, self.until))

    def keep(self, hit: Hit) -> bool:
        """Publisher and date (the speaker is matched by the facade, aliases included)."""
        if self.publisher and self.publisher.casefold() not in hit.publisher.casefold():
            return False
        if self.since or self.until:
            day = published_day(hit.published)
            if day is None or (self.since and day < self.since):
                return False
            if self.until and day > self.until:
                return False
        return True


def hit_document(hit: Hit, source: str = "", cited: bool = False) -> Document:
    """One quote as a Document; ``source`` is the article's URL when it has one."""
    return Document(
        page_content=hit.quote,
        id=hit.id,
        metadata={
            "speaker": hit.speaker or hit.speaker_mention,
            "speaker_mention": hit.speaker_mention,
            "speaker_role": hit.speaker_role,
            "kind": hit.kind,
            "cue": hit.cue,
            "doc_id": hit.doc_id,
            "title": hit.title,
            "publisher": hit.publisher,
            "published": hit.published,
            "source": source or hit.source_path,
            "source_path": hit.source_path,
            "start_index": hit.start,
            "end_index": hit.end,
            "score": round(hit.score, 4),
            "cited": cited,
        },
    )


class QuoteRetriever(BaseRetriever):
    """Verbatim, attributed quotes for a question, best first (``k`` at most).

    Filters set on the retriever are defaults; ``invoke(query, speaker=…, publisher=…,
    since=…, until=…)`` overrides them for one call. ``with_candidates=True`` also returns
    the ranked quotes the answer did not cite, up to ``k`` (for a chain that judges itself).
    """

    bot: Any  # bot.core.Bot
    k: int = 5
    speaker: str = ""
    publisher: str = ""
    since: date | None = None
    until: date | None = None
    with_candidates: bool = False

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **filters: Any
    ) -> list[Document]:
        return self.search(query, **filters)[1]

    def search(self, query: str, **filters: Any) -> tuple[Answer | None, list[Document]]:
        """The answer (None for a speaker search) and the quotes as Documents."""
        if not 1 <= self.k <= MAX_QUOTES:
            raise InputError(f"k must be between 1 and {MAX_QUOTES}, not {self.k}.")
        defaults = {name: getattr(self, name) for name in FILTERS}
        f = QuoteFilter.of(**{**defaults, **filters})
        if f.speaker:
            answer, cited, hits = None, set(), self._speaker_hits(query, f)
        else:
            answer = self.bot.ask(self.bot.check_question(query))
            cited = {h.id for h in answer.quotes}
            hits = self._answer_hits(answer)
        hits = [h for h in hits if f.keep(h)][: self.k]
        urls = self._urls({h.doc_id for h in hits})
        return answer, [hit_document(h, urls.get(h.doc_id, ""), h.id in cited) for h in hits]

    def _speaker_hits(self, query: str, f: QuoteFilter) -> list[Hit]:
        """The speaker's quotes matching the query's words (all of them for an empty query);
        read deeper when a publisher or date filter will drop some."""
        depth = self.k if not (f.publisher or f.since or f.until) else MAX_QUOTES
        return self.bot.quotes(speaker=f.speaker, q=query.strip(), limit=depth)

    def _answer_hits(self, answer: Answer) -> list[Hit]:
        """Cited quotes, then their copies (same speaker, same words) in other articles, then
        (``with_candidates``) the rest of the ranking."""
        if answer.abstained:
            return []
        cited = {h.id for h in answer.quotes}
        pool = [h for h in answer.candidates if h.id not in cited]
        known = cited | {h.id for h in pool}  # searches give one copy of each quote
        pool += [h for h in self.bot.copies(answer.quotes) if h.id not in known]
        copies: list[Hit] = []
        for hit in answer.quotes:
            key = (hit.speaker, words_of(hit.quote))
            copies += [
                replace(h, score=hit.score)
                for h in pool
                if (h.speaker, words_of(h.quote)) == key and h.id not in {c.id for c in copies}
            ]
        rest = [h for h in pool if h.id not in {c.id for c in copies}]
        return [*answer.quotes, *copies, *(rest if self.with_candidates else [])]

    def _urls(self, doc_ids: set[str]) -> dict[str, str]:
        """Article URLs (``Bot.document``), for the ``source`` metadata."""
        urls = {}
        for doc_id in doc_ids:
            url = str(self.bot.document(doc_id).get("url") or "")
            if url:
                urls[doc_id] = url
        return urls
