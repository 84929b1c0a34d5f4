"""The shapes the data path owns: Article → Quote (extract) → Hit (a stored quote, read back)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuoteKind = Literal["direct", "indirect", "mixed"]
SpeakerKind = Literal["person", "org", "unknown"]


@dataclass(frozen=True)
class Span:
    """A piece of an article: its text and character offsets (``text == article[start:end]``)."""

    text: str
    start: int
    end: int


@dataclass
class Quote:
    """One attributed statement found in an article.

    ``quote == article_text[start:end]`` always holds, so every quote is verbatim and checkable.
    ``spans`` lists the content pieces when the statement is interrupted ("A," he said, "B.").
    """

    quote: str
    start: int
    end: int
    kind: QuoteKind
    cue: Span | None = None
    speaker_mention: Span | None = None
    speaker: str | None = None
    speaker_role: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    speaker_kind: SpeakerKind = "unknown"  # person / org / unknown, from NER and the head noun

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["spans"] = [list(s) for s in self.spans]
        return data


@dataclass
class Article:
    """A cleaned article ready for extraction; ``doc_id`` is derived from its text."""

    doc_id: str
    text: str
    title: str
    source_path: str
    url: str = ""
    publisher: str = ""
    published: str = ""


@dataclass
class Hit:
    """A quote record coming back from the index, with the article fields needed to cite it."""

    id: str
    quote: str
    speaker: str
    speaker_mention: str
    kind: str
    cue: str
    doc_id: str
    title: str
    publisher: str
    published: str
    source_path: str
    start: int
    end: int
    speaker_role: str = ""
    score: float = 0.0
    context: str = ""  # the paragraph around the quote, for highlighting
    context_start: int = 0
    url: str = ""  # the article's link, when it has one (else source_path is the file)

    def citation(self) -> dict[str, Any]:
        """The quote as it appears in an answer object (the CLI/API contract)."""
        return {
            "speaker": self.speaker,
            "speaker_mention": self.speaker_mention,
            "quote": self.quote,
            "kind": self.kind,
            "cue": self.cue,
            "doc_id": self.doc_id,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published,
            "source_path": self.source_path,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }
