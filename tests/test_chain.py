"""The ask chain end to end on the seeded store (real spaCy, MiniLM, Chroma; no LLM)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from langchain_core.runnables import Runnable

from bot.chain.answer import line
from bot.chain.pipeline import build_chain
from bot.core import Bot
from bot.settings import Settings
from store.errors import InputError
from store.types import Hit


def test_build_chain_is_a_runnable_returning_answers(seeded_bot: Any) -> None:
    chain = build_chain(seeded_bot.index, seeded_bot.settings)
    assert isinstance(chain, Runnable)
    answer = chain.invoke({"question": "Who called Putin his closest comrade?", "history": []})
    data = answer.to_dict()
    assert set(data) == {"question", "answer", "abstained", "quotes"}
    top = data["quotes"][0]
    assert top["speaker"] == "Kim Jong Un" and "closest comrade" in top["quote"]
    assert Path(top["source_path"]).name == "002_337fd35c83eca36f.txt"
    article = seeded_bot.document(top["doc_id"])["text"]
    assert article[top["start"] : top["end"]] == top["quote"]  # verbatim, with offsets
    assert data["answer"].startswith("Kim Jong Un said: “Putin his ‘closest comrade’” [1]")


@pytest.mark.parametrize(
    ("question", "speaker", "words"),
    [
        ('Who said "I believe this treaty is very timely"?', "Andrei Rudenko", "very timely"),
        ("What did Ms Shea say?", "Dorothy Camille Shea", ""),
        ("What did Rudenko say about Moscow's relations with Pyongyang?", "Andrei Rudenko",
         "reached new heights"),
        ("Who said North Korean soldiers are essentially slaves to Kim Jong Un?",
         "Joonkook Hwang", "essentially slaves"),
        ("What did Choe Son Hui say about Putin's leadership?", "Choe Son Hui",
         "wise leadership"),
        ("Who accused the United States of embellishing Israel's mass killing as the right to "
         "self-defence?", "Kim Song", "embellished Israel"),
        # "According to X, …," Zelensky said: the words are Zelensky's, X is his source.
        ("Who said Russia's plans include the actual involvement of North Korea in the war?",
         "Volodymyr Zelensky", "the actual involvement of North Korea"),
        ("According to whom do Russia's plans include the actual involvement of North Korea?",
         "Ukraine's military intelligence", "the actual involvement of North Korea"),
    ],
)  # fmt: skip
def test_seed_questions(seeded_bot: Any, question: str, speaker: str, words: str) -> None:
    answer = seeded_bot.ask(question)
    assert not answer.abstained
    assert answer.quotes[0].speaker == speaker and words in answer.quotes[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "Who said Bitcoin would reach a million dollars?",
        "Who said the Olympic Games would be moved to Pyongyang?",
        "What did Angela Merkel say about the treaty?",
        'Who said "the moon is made of green cheese"?',
    ],
)
def test_abstains_when_nothing_supports_the_question(seeded_bot: Any, question: str) -> None:
    answer = seeded_bot.ask(question)
    assert answer.abstained and answer.quotes == []
    assert "indexed" in answer.answer


def test_a_fragment_of_stopwords_only_is_answered_or_abstained(seeded_bot: Any) -> None:
    answer = seeded_bot.ask('Who said "that is what they will do to us"?')
    assert answer.abstained and answer.quotes == []


def test_interrupted_quote_is_found_and_stitched_one_abstains(tmp_path: Path) -> None:
    article = tmp_path / "rally.txt"
    article.write_text(
        "Tax pledge at a rally\n\n"
        '"We will not raise taxes on working families," Governor Jane Alvarez said at a rally '
        'in Dayton on Tuesday. "Not this year, and not next year either."\n\n'
        '"The new bridge will open to traffic in the spring," Mayor Tom Becker said.\n',
        encoding="utf-8",
    )
    bot = Bot.build(Settings(store=tmp_path / "store"))
    assert not bot.ingest([article]).errors
    # No single run holds 60% of the words; only the two parts read around "… said …" do.
    answer = bot.ask('Who said "We will not raise taxes. Not this year, and not next year"?')
    assert answer.quotes[0].speaker == "Jane Alvarez"
    assert "We will not raise taxes on working families" in answer.quotes[0].quote
    stitched = bot.ask('Who said "We will not raise taxes on the new bridge will open"?')
    assert stitched.abstained and stitched.quotes == []


def test_a_record_nested_in_its_speakers_longer_one_is_shown_whole(tmp_path: Path) -> None:
    article = tmp_path / "welch.txt"
    article.write_text(
        "Welch to back Sanders\n\n"
        "Representative Peter Welch said on Friday that he planned to vote for Sanders in the "
        "state's March 1 primary.\n",
        encoding="utf-8",
    )
    bot = Bot.build(Settings(store=tmp_path / "store"))
    assert not bot.ingest([article]).errors
    # Two records: "that he planned to vote …" (cue "said") and "to vote …" (cue "planned").
    quotes = [q["quote"] for q in bot.extract_file(article)["quotes"]]
    assert any(q.startswith("to vote") for q in quotes), quotes
    answer = bot.ask("Which Vermont congressman said he would vote for Sanders in the primary?")
    assert answer.quotes[0].speaker == "Peter Welch"
    assert answer.quotes[0].quote.startswith("that he planned to vote for Sanders")


def test_did_x_say_y(seeded_bot: Any) -> None:
    yes = seeded_bot.ask("Did Kim call Putin his closest comrade?")
    assert yes.answer.startswith("Yes. Kim Jong Un said") and not yes.abstained
    no = seeded_bot.ask("Did Putin say the treaty was very timely?")
    assert no.answer.startswith("No quote of Vladimir Putin saying that")
    assert no.quotes[0].speaker == "Andrei Rudenko"


def test_follow_ups_resolve_she_and_that(seeded_bot: Any) -> None:
    first = seeded_bot.ask("What did Ms Shea say about Russian military equipment?")
    history = [
        {"role": "user", "content": first.question},
        {"role": "assistant", "content": first.answer},
    ]
    more = seeded_bot.ask("What else did she say?", history)
    assert {h.speaker for h in more.quotes} == {"Dorothy Camille Shea"}
    assert first.quotes[0].quote not in {h.quote for h in more.quotes}
    timely = seeded_bot.ask("Who said the treaty is very timely?")
    history = [{"role": "assistant", "content": timely.answer}]
    assert seeded_bot.ask("Did Putin say that?", history).answer.startswith("No quote of Vladimir")


def test_contradicting_figures_are_listed(seeded_bot: Any) -> None:
    answer = seeded_bot.ask("How many North Korean soldiers are in Russia?")
    assert not answer.abstained and len(answer.quotes) > 1
    assert "The sources give different figures:" in answer.answer


def test_a_sentence_printed_twice_is_cited_once(seeded_bot: Any) -> None:
    # The fair-game article repeats "the U.S. confirmed the deployment of 3,000 North Korean
    # troops to Russia" in its standfirst and its first paragraph.
    answer = seeded_bot.ask("Who said North Korean troops would be fair game?")
    said = [(h.speaker, h.quote.strip(' .“”"')) for h in answer.quotes]
    assert len(said) == len(set(said)) and answer.quotes[0].speaker == "U.S."


def test_bad_input_is_a_sentence(seeded_bot: Any) -> None:
    chain = seeded_bot.chain
    with pytest.raises(InputError, match="'question' field must be a non-empty string"):
        chain.invoke({"question": "  ", "history": []})
    with pytest.raises(InputError, match="'history' field must be a list"):
        chain.invoke({"question": "Who?", "history": "she"})
    with pytest.raises(InputError, match="the limit is 2000"):
        chain.invoke({"question": "x" * 2001})


def test_empty_store_says_how_to_fill_it(tmp_path: Path) -> None:
    answer = Bot.build(Settings(store=tmp_path / "empty")).ask("Who said anything?")
    assert answer.abstained and "Run `quotebot ingest PATH` first" in answer.answer


def test_a_second_bot_sees_new_articles_on_its_next_question(tmp_path: Path) -> None:
    """A second process (here: a second Bot) sees new articles on its next question."""
    settings = Settings(store=tmp_path / "store")
    writer, reader = Bot.build(settings), Bot.build(settings)
    assert reader.ask("Who called Putin his closest comrade?").abstained
    writer.ingest([EXAMPLES / "002_337fd35c83eca36f.txt"])
    answer = reader.ask("Who called Putin his closest comrade?")
    assert answer.quotes[0].speaker == "Kim Jong Un"


class _Counting:
    """A Chroma collection that records how many records each read returns."""

    def __init__(self, real: Any) -> None:
        self.real, self.read = real, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def get(self, **kw: Any) -> Any:
        assert kw.get("ids") is not None or kw.get("limit"), f"an unbounded read: {kw}"
        out = self.real.get(**kw)
        self.read.append(len(out["ids"]))
        return out

    def query(self, **kw: Any) -> Any:
        out = self.real.query(**kw)
        self.read.append(len(out["ids"][0]))
        return out


def test_a_question_reads_candidates_not_the_store(
    seeded_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per question: one bounded HNSW query and reads by id, never a scan of every record.
    Beside an embedded store the quote collection is not read at all (records come from the
    lexicon's file, vectors from the texts collection): Chroma loads a collection's whole HNSW
    index on its first read."""
    bot = Bot.build(Settings(store=seeded_store, candidates=5))
    bot.ask("warm up")
    quotes, texts = _Counting(bot.index.quotes), _Counting(bot.index.texts)
    monkeypatch.setattr(bot.index, "quotes", quotes)
    monkeypatch.setattr(bot.index, "texts", texts)
    monkeypatch.setattr(type(bot.index), "iter_quotes", None)  # full scans are not on the path
    answer = bot.ask("Who said North Korean troops would be fair game?")
    assert not answer.abstained and "fair game" in answer.quotes[0].quote
    stored = bot.index.counts()[1]
    assert quotes.read == []
    assert stored > 40 and 0 < sum(texts.read) <= 4 * 5 + 2 * 5 + 10 < stored


def test_a_headline_colon_reads_as_the_headline_does() -> None:
    """ "Pat Caddell: Democrat Voters Worried …" is cited as "Pat Caddell: …", not "Pat Caddell
    : …"; other reported speech keeps its cue."""

    def hit(cue: str, quote: str) -> Hit:
        return Hit(
            "q1", quote, "Pat Caddell", "Pat Caddell", "indirect", cue, "d1", "T", "", "", "", 0, 1
        )

    assert (
        line(1, hit(":", "Democrat Voters Worried")) == "Pat Caddell: Democrat Voters Worried [1]"
    )
    assert line(2, hit("warned", "that voters worry")) == "Pat Caddell warned that voters worry [2]"
