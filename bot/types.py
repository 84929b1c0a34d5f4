"""What the chain returns: an Answer with readable text and the quotes it cites."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from store.types import Hit


@dataclass
class Answer:
    """What ``ask`` returns: readable text with [n] markers and the cited quotes, best first."""

    question: str
    answer: str
    abstained: bool
    quotes: list[Hit] = field(default_factory=list)
    id: Any = None
    removed: list[dict[str, Any]] = field(default_factory=list)
    # The retriever's ranking before the answer chose what to cite (evaluation reads it for
    # recall@k and MRR); not part of the answer object users get.
    candidates: list[Hit] = field(default_factory=list)

    def citations(self) -> list[dict[str, Any]]:
        """The cited quotes, numbered as the [n] markers in the answer text."""
        return [{"index": n, **hit.citation()} for n, hit in enumerate(self.quotes, start=1)]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {} if self.id is None else {"id": self.id}
        data.update(
            question=self.question,
            answer=self.answer,
            abstained=self.abstained,
            quotes=[h.citation() for h in self.quotes],
        )
        if self.removed:
            data["removed"] = self.removed
        return data
