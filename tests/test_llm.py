"""The LLM path with scripted chat models: settings, prompt, budget, and the quote check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import GOLDEN
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from test_golden_seeds import _verdict

from bot.chain.llm import budget, count_tokens, load_prompt, make_llm
from bot.chain.pipeline import build_chain, stream_answer
from bot.settings import Settings
from bot.types import Answer
from store.errors import ConfigError

TIMELY = 'Who said "I believe this treaty is very timely"?'


class ScriptedChatModel(BaseChatModel):
    """A chat model whose reply is a function of the prompt; records every prompt it gets."""

    script: Callable[[str], str]
    prompts: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, **kw: Any) -> ChatResult:
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self.script(prompt)))])


def _first_quote(prompt: str) -> str:
    """What an honest model answers: quote [1] verbatim, with its speaker."""
    m = re.search(r"^\[1\] (.+?)(?: \(.*?\))?, \w+ quote, in .*\n\s+\"(.*)\"$", prompt, re.M)
    assert m, prompt
    return f'{m.group(1)} said: "{m.group(2)}" [1].'


def _ask(bot: Any, llm: BaseChatModel, question: str, **settings: Any) -> Answer:
    chain = build_chain(bot.index, Settings(store=bot.settings.store, **settings), llm=llm)
    return chain.invoke({"question": question, "history": []})


def _fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))


def test_settings_build_the_named_chat_model() -> None:
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI

    model = make_llm(
        Settings(llm_provider="openai", llm_model="m1", llm_base_url="http://127.0.0.1:9/v1")
    )
    assert isinstance(model, ChatOpenAI) and model.model_name == "m1"
    assert isinstance(make_llm(Settings(llm_provider="ollama", llm_model="llama3")), ChatOllama)
    with pytest.raises(ConfigError, match="QUOTEBOT_LLM_MODEL is empty"):
        make_llm(Settings(llm_provider="openai"))
    with pytest.raises(ConfigError, match="must be 'openai' or 'ollama', not 'gpt'"):
        make_llm(Settings(llm_provider="gpt", llm_model="x"))


def test_prompts_are_versioned_files_and_context_is_budgeted(seeded_bot: Any) -> None:
    assert "NO_ANSWER" in load_prompt("answer.v1").render(question="q", quotes=[], history=[])
    with pytest.raises(ConfigError, match="No prompt named 'answer.v0'.*answer.v1"):
        load_prompt("answer.v0")
    assert count_tokens("hello world") == 2
    hits = seeded_bot.quotes(limit=40)
    assert len(budget(hits, 10_000)) == len(hits)
    small = budget(hits, 60)
    assert 1 <= len(small) < len(hits) and small == hits[: len(small)]
    assert len(budget(hits, 1)) == 1  # never an empty context


def test_correct_quote_passes_and_cites_the_stored_record(seeded_bot: Any) -> None:
    llm = ScriptedChatModel(script=_first_quote, prompts=[])
    answer = _ask(seeded_bot, llm, TIMELY)
    assert not answer.abstained and answer.removed == []
    top = answer.quotes[0]
    assert top.speaker == "Andrei Rudenko" and "I believe this treaty is very timely" in top.quote
    assert answer.answer.startswith("Andrei Rudenko said:") and "[1]" in answer.answer
    assert '"I believe this treaty is very timely' in llm.prompts[0]


@pytest.mark.parametrize(
    ("reply", "status", "reason"),
    [
        ('Vladimir Putin said: "I believe this treaty is very timely" [1].', "misattributed",
         "attributes them to Andrei Rudenko, not Vladimir Putin"),
        ('Andrei Rudenko said: "I believe this treaty is a breakthrough document" [1].',
         "fabricated", "stitched from 2 separate passages"),
        ('Andrei Rudenko said: "We will win this war before Christmas" [1].', "fabricated",
         "not in the cited article"),
    ],
)  # fmt: skip
def test_unsupported_quotes_never_reach_the_user(
    seeded_bot: Any, reply: str, status: str, reason: str
) -> None:
    answer = _ask(seeded_bot, _fake(reply), TIMELY)
    assert [(r["status"], reason in r["reason"]) for r in answer.removed] == [(status, True)]
    bad = re.search(r'"(.*)"', reply)
    assert bad is not None
    # Nothing verifiable was left, so the user gets the extractive answer plus the removal note.
    assert [h.speaker for h in answer.quotes] == ["Andrei Rudenko"]
    assert all(bad.group(1) != h.quote for h in answer.quotes)
    assert "Removed 1 quotation(s)" in answer.answer
    assert answer.to_dict()["removed"][0]["status"] == status


def test_mixed_reply_keeps_good_quotes_and_renumbers(seeded_bot: Any) -> None:
    reply = (
        'Andrei Rudenko said "I believe this treaty is very timely" [1]. '
        'He also said "the treaty ends the war" [1].'
    )
    answer = _ask(seeded_bot, _fake(reply), TIMELY)
    assert not answer.abstained
    assert (
        "[quotation removed]" in answer.answer and "the treaty ends the war” [" not in answer.answer
    )
    assert [r["status"] for r in answer.removed] == ["fabricated"]
    assert len(answer.quotes) == 1 and re.findall(r"\[(\d+)\]", answer.answer) == ["1"]


def test_no_model_call_when_nothing_supports_the_question(seeded_bot: Any) -> None:
    def refuse(prompt: str) -> str:
        raise AssertionError("the model must not be asked")

    answer = _ask(
        seeded_bot, ScriptedChatModel(script=refuse), "Who said Bitcoin would reach a million?"
    )
    assert answer.abstained and answer.quotes == []
    assert _ask(seeded_bot, _fake("NO_ANSWER"), TIMELY).abstained


def test_model_failure_falls_back_to_extractive_answer(seeded_bot: Any) -> None:
    def down(prompt: str) -> str:
        raise ConnectionError("connection refused")

    answer = _ask(seeded_bot, ScriptedChatModel(script=down), TIMELY)
    assert answer.quotes[0].speaker == "Andrei Rudenko"
    assert "The language model did not answer: connection refused" in answer.answer


def test_stream_yields_verified_text_then_the_answer(seeded_bot: Any) -> None:
    chain = build_chain(seeded_bot.index, seeded_bot.settings, llm=_fake(
        'Andrei Rudenko said "I believe this treaty is very timely" [1]. Putin said "war" [1].'
    ))  # fmt: skip
    parts = list(stream_answer(chain, {"question": TIMELY, "history": []}))
    final = parts[-1]
    assert isinstance(final, Answer) and "".join(parts[:-1]) == final.answer
    assert "“war”" not in final.answer and '"war"' not in final.answer


def test_seed_golden_set_through_the_llm_path(seeded_bot: Any) -> None:
    """An honest scripted model (quotes [1] verbatim) gets every golden question right, with
    the same top quote as the extractive answer and nothing removed by the check."""
    items = [json.loads(line) for line in (GOLDEN / "seeds.jsonl").read_text().splitlines()]
    llm = ScriptedChatModel(script=_first_quote, prompts=[])
    chain = build_chain(seeded_bot.index, seeded_bot.settings, llm=llm)
    wrong, answered = {}, 0
    for item in items:
        plain = seeded_bot.ask(item["question"])
        via = chain.invoke({"question": item["question"], "history": []})
        if (verdict := _verdict(item, via.to_dict())) != "ok":
            wrong[item["id"]] = verdict
        assert via.abstained == plain.abstained and via.removed == [], item["id"]
        if plain.quotes:
            answered += 1
            got = (via.quotes[0].speaker, via.quotes[0].quote, via.quotes[0].doc_id)
            assert got == (plain.quotes[0].speaker, plain.quotes[0].quote, plain.quotes[0].doc_id)
            assert via.answer.startswith(f"{via.quotes[0].speaker} said: ")
    assert wrong == {}
    assert len(llm.prompts) == answered  # abstentions never reach the model
