"""QuoteRetriever: the Bot's verified quotes as LangChain Documents, with filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from bot.retriever import QuoteRetriever
from store.errors import InputError

FAIR_GAME_Q = "Who said North Korean troops would be fair game?"
FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"
METADATA = {
    "speaker", "speaker_mention", "speaker_role", "kind", "cue", "doc_id", "title", "publisher",
    "published", "source", "source_path", "start_index", "end_index", "score", "cited",
}  # fmt: skip


def _verbatim(bot: Any, doc: Document) -> bool:
    text = bot.document(doc.metadata["doc_id"])["text"]
    return text[doc.metadata["start_index"] : doc.metadata["end_index"]] == doc.page_content


def test_documents_are_the_answers_cited_quotes(seeded_bot: Any) -> None:
    docs = QuoteRetriever(bot=seeded_bot, k=3).invoke("Who said the treaty is very timely?")
    best = docs[0]
    assert best.page_content.startswith("I believe this treaty is very timely")
    assert best.metadata["speaker"] == "Andrei Rudenko" and best.metadata["cited"] is True
    assert set(best.metadata) == METADATA and best.metadata["kind"] == "direct"
    assert best.metadata["source"].endswith(".txt")  # plain files have no URL: the path
    assert best.id == f"{best.metadata['doc_id']}:{best.metadata['start_index']}:" + str(
        best.metadata["end_index"]
    )
    assert all(_verbatim(seeded_bot, d) for d in docs) and len(docs) <= 3


def test_nobody_said_it_is_no_documents(seeded_bot: Any) -> None:
    retriever = QuoteRetriever(bot=seeded_bot)
    assert retriever.invoke("Who said Bitcoin would reach a million dollars?") == []
    assert (
        QuoteRetriever(bot=seeded_bot, with_candidates=True).invoke("Who said the moon is cheese?")
        == []
    )


def test_publisher_filter_takes_the_same_words_from_that_publisher(speaker_bot: Any) -> None:
    everywhere = QuoteRetriever(bot=speaker_bot).invoke(FAIR_GAME_Q)
    # Three articles print the same words (a tie): the first may come from any of them.
    assert everywhere[0].page_content == FAIR_GAME
    assert everywhere[0].metadata["publisher"] in {"Reuters", "Associated Press", "The Guardian"}
    guardian = QuoteRetriever(bot=speaker_bot, publisher="guardian").invoke(FAIR_GAME_Q)
    assert [(d.page_content, d.metadata["publisher"]) for d in guardian] == [
        (FAIR_GAME, "The Guardian")
    ]
    assert guardian[0].metadata["source"] == "https://example.org/guardian/allies-weigh"
    assert guardian[0].metadata["speaker_mention"] == "US deputy ambassador Dorothy Shea"
    assert all(_verbatim(speaker_bot, d) for d in everywhere + guardian)


def test_date_filters_per_call_and_undated_articles(speaker_bot: Any) -> None:
    retriever = QuoteRetriever(bot=speaker_bot, k=10)
    october = retriever.invoke(FAIR_GAME_Q, since="2024-10-02", until="2024-10-31")
    assert [d.metadata["publisher"] for d in october] == ["Associated Press"]
    assert retriever.invoke(FAIR_GAME_Q, until=date(2024, 9, 30)) == []
    shea = retriever.invoke("", speaker="Shea")
    assert len(shea) == 9 and {d.metadata["speaker"] for d in shea} == {"Dorothy Shea"}
    dated = retriever.invoke("", speaker="Shea", since="2024-01-01")
    assert len(dated) == 8 and "Wire" not in {d.metadata["publisher"] for d in dated}


def test_speaker_filter_searches_that_speakers_quotes(speaker_bot: Any) -> None:
    docs = QuoteRetriever(bot=speaker_bot, speaker="Ms Shea", k=2).invoke("reckless war")
    assert docs[0].page_content == "This is a reckless step that widens the war,"
    assert docs[0].metadata["publisher"] == "Associated Press" and len(docs) <= 2
    assert QuoteRetriever(bot=speaker_bot, speaker="Nebenzia").invoke("reckless war") == []


def test_with_candidates_fills_up_to_k_after_the_cited_quotes(speaker_bot: Any) -> None:
    cited = QuoteRetriever(bot=speaker_bot, k=10).invoke(FAIR_GAME_Q)
    more = QuoteRetriever(bot=speaker_bot, k=10, with_candidates=True).invoke(FAIR_GAME_Q)
    assert [d.id for d in more[: len(cited)]] == [d.id for d in cited]
    assert len(more) == 10 and not any(d.metadata["cited"] for d in more[len(cited) :])


def test_composes_in_a_chain_and_rejects_bad_filters(speaker_bot: Any) -> None:
    chain = QuoteRetriever(bot=speaker_bot, k=1) | RunnableLambda(
        lambda docs: [f"{d.metadata['speaker']}: {d.page_content}" for d in docs]
    )
    assert chain.invoke(FAIR_GAME_Q) == [f"Dorothy Shea: {FAIR_GAME}"]
    retriever = QuoteRetriever(bot=speaker_bot)
    with pytest.raises(
        InputError, match="since must be a date such as 2024-10-31, not 'last week'"
    ):
        retriever.invoke(FAIR_GAME_Q, since="last week")
    with pytest.raises(InputError, match="Unknown filter 'author'"):
        retriever.invoke(FAIR_GAME_Q, author="x")
    with pytest.raises(InputError, match="question is empty"):
        retriever.invoke("  ")
