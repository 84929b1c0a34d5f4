"""The retrieval chain: question → understanding → hybrid retrieval → answer (LCEL runnables).

``build_chain(index, settings, llm=None)`` returns a runnable whose ``.invoke({"question": str,
"history": [{"role": "user"|"assistant", "content": str}, …]})`` gives a ``bot.types.Answer``.
Without a chat model the answer is extractive and deterministic; with one (``llm=`` or the
``llm_*`` settings) the model writes the answer and ``bot.chain.verify`` removes every quotation
that is not the cited article's own words by the named speaker.

Streaming: ``stream_answer(chain, inputs)`` yields the answer text in pieces and then the final
``Answer``. Pieces are only released after verification, so an unchecked quotation from a model
never reaches a user, not even for a moment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableLambda

from bot.chain.answer import compose
from bot.chain.people import People
from bot.chain.question import Question, parse_question, resolve_references
from bot.chain.retrieve import Retrieval, retrieve
from bot.settings import Settings
from bot.types import Answer
from store.errors import InputError
from store.index import QuoteIndex

if TYPE_CHECKING:  # importing it loads LangSmith's tracers: ~0.5 s of a fresh `quotebot ask`
    from langchain_core.language_models import BaseChatModel


def _inputs(data: Any, settings: Settings) -> tuple[str, list[dict[str, str]]]:
    """The question and history, or an InputError that says which field is wrong."""
    if isinstance(data, str):
        data = {"question": data}
    if not isinstance(data, dict):
        raise InputError("The chain input must be an object with a 'question' field.")
    question, history = data.get("question"), data.get("history") or []
    if not isinstance(question, str) or not question.strip():
        raise InputError("The 'question' field must be a non-empty string.")
    if len(question) > settings.max_question_chars:
        raise InputError(
            f"The question is {len(question)} characters long; the limit is "
            f"{settings.max_question_chars}. Ask about a shorter fragment."
        )
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and isinstance(t.get("content", ""), str) for t in history
    ):
        raise InputError(
            "The 'history' field must be a list of {'role': 'user'|'assistant', 'content': str}."
        )
    return question.strip(), history


def build_chain(
    index: QuoteIndex,
    settings: Settings,
    llm: BaseChatModel | None = None,
    people: People | None = None,
) -> Runnable[Any, Answer]:
    """The ask chain over one index; see the module docstring for inputs and outputs."""
    if llm is None and settings.llm_provider:
        from bot.chain.llm import make_llm

        llm = make_llm(settings)

    people = people or People(index)

    def understand(data: Any) -> dict[str, Any]:
        question, history = _inputs(data, settings)
        people.refresh()
        q = parse_question(question, people.publishers())
        q = resolve_references(q, history, people.find_names, people)
        return {"question": q, "history": history}

    def find(state: dict[str, Any]) -> dict[str, Any]:
        q: Question = state["question"]
        return {**state, "retrieval": retrieve(index, people, q, settings.candidates)}

    def answer(state: dict[str, Any]) -> Answer:
        r: Retrieval = state["retrieval"]
        if llm is None:
            result = compose(r, settings.abstain_below, settings.top_k)
        else:
            from bot.chain.llm import llm_answer

            result = llm_answer(r, llm, index, people, settings, state["history"])
        result.candidates = list(r.hits)
        return result

    chain = (
        RunnableLambda(understand, name="understand")
        | RunnableLambda(find, name="retrieve")
        | RunnableLambda(answer, name="answer")
    )
    return chain.with_config(run_name="quotebot_ask")


def stream_answer(chain: Runnable[Any, Answer], inputs: dict[str, Any]) -> Iterator[str | Answer]:
    """Verified answer text in line-sized pieces, then the ``Answer`` itself."""
    answer = chain.invoke(inputs)
    for piece in re.split(r"(?<=\n)", answer.answer):
        if piece:
            yield piece
    yield answer
