"""The quote tool inside a real ``langchain.agents.create_agent`` loop; only the chat model is
scripted (it asks for the tool, then answers), everything under the tool is real."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import BaseTool
from pydantic import Field

from bot.agent_tool import SYSTEM_PROMPT, TOOL_NAME, quote_agent, quote_tool

FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"


class ScriptedModel(GenericFakeChatModel):
    """Replies from a script, and records what the agent sent it (tools bound, messages)."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        self.bound.extend(t.name if isinstance(t, BaseTool) else t["name"] for t in tools)
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def _script(*args: dict[str, Any], final: str = "Done.") -> Iterator[AIMessage]:
    calls = [
        AIMessage(
            "", tool_calls=[{"name": TOOL_NAME, "args": a, "id": f"c{n}", "type": "tool_call"}]
        )
        for n, a in enumerate(args)
    ]
    return iter([*calls, AIMessage(final)])


def _run(agent: Any, question: str) -> list[BaseMessage]:
    return agent.invoke({"messages": [{"role": "user", "content": question}]})["messages"]


def test_agent_calls_the_tool_and_gets_the_quotes_as_artifact(speaker_bot: Any) -> None:
    model = ScriptedModel(
        messages=_script({"question": "Who said North Korean troops would be fair game?"}),
    )
    agent = create_agent(model, [quote_tool(speaker_bot)], system_prompt=SYSTEM_PROMPT)
    messages = _run(agent, "Who said North Korean troops would be fair game?")
    tool_msg = next(m for m in messages if isinstance(m, ToolMessage))
    assert (
        set(model.bound) == {TOOL_NAME} and len(model.seen) == 2 and messages[-1].content == "Done."
    )
    assert tool_msg.name == TOOL_NAME and tool_msg.tool_call_id == "c0"
    docs = tool_msg.artifact
    assert docs[0].page_content == FAIR_GAME and docs[0].metadata["speaker"] == "Dorothy Shea"
    # The same words stand in three articles (a tie): any of them is the right source.
    carrying = {
        "Reuters": "US envoy warns Pyongyang over troops",
        "Associated Press": "Security Council clashes over North Korean deployment",
        "The Guardian": "=Allies weigh response to troop deployment",
    }
    publisher = docs[0].metadata["publisher"]
    assert publisher in carrying and docs[0].metadata["cited"] is True
    text = speaker_bot.document(docs[0].metadata["doc_id"])["text"]
    assert text[docs[0].metadata["start_index"] : docs[0].metadata["end_index"]] == FAIR_GAME
    # The model's second turn read the answer with [n] markers and the numbered sources.
    shown = model.seen[1][-1]
    assert isinstance(shown, ToolMessage) and shown.content.startswith("Dorothy Shea said")
    assert f"[1] Dorothy Shea: “{FAIR_GAME}” — {carrying[publisher]}" in shown.content


def test_filters_and_an_abstention_through_quote_agent(speaker_bot: Any) -> None:
    model = ScriptedModel(
        messages=_script(
            {"question": "fair game", "speaker": "Shea", "publisher": "Associated Press"},
            {"question": "Who said Bitcoin would reach a million dollars?"},
            {"question": "Who said it?", "since": "yesterday"},
        ),
    )
    messages = _run(quote_agent(speaker_bot, model), "What did Shea say in AP, and about Bitcoin?")
    filtered, nobody, bad = [m for m in messages if isinstance(m, ToolMessage)]
    assert [(d.page_content, d.metadata["publisher"]) for d in filtered.artifact] == [
        (FAIR_GAME, "Associated Press")
    ]
    assert filtered.content.startswith("Quotes:\n[1] Dorothy Shea: ")
    assert nobody.artifact == [] and "No one in the indexed articles said that" in nobody.content
    assert bad.artifact == [] and bad.content.startswith("Error: since must be a date")
    assert model.seen[0][0].content == SYSTEM_PROMPT  # quote_agent's default prompt


def test_tool_schema_tells_the_model_what_each_filter_does(speaker_bot: Any) -> None:
    tool = quote_tool(speaker_bot, k=2, name="who_said")
    assert tool.name == "who_said" and tool.response_format == "content_and_artifact"
    assert set(tool.args) == {"question", "speaker", "publisher", "since", "until"}
    assert "YYYY-MM-DD" in tool.args["since"]["description"]
    assert "verbatim" in tool.description
