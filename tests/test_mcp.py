"""MCP tools ``ask``, ``search_quotes`` and ``speaker_page`` through the ``mcp`` client over
streamable HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from live_server import Live, live_server, speaker_server
from mcp import Client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(seeded_store: Path, request: pytest.FixtureRequest) -> Live:
    return live_server(seeded_store, request.config)


def call(url: str, tool: str, arguments: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with Client(f"{url}/mcp", read_timeout_seconds=60) as client:
            return await client.call_tool(tool, arguments)

    return asyncio.run(go())


def test_lists_the_tools_with_descriptions(live: Live) -> None:
    async def go() -> Any:
        async with Client(f"{live.url}/mcp") as client:
            return await client.list_tools()

    tools = {t.name: t for t in asyncio.run(go()).tools}
    assert set(tools) == {"ask", "search_quotes", "speaker_page"}
    assert "verbatim" in (tools["ask"].description or "")
    assert "question" in tools["ask"].input_schema["properties"]


def test_ask_tool_returns_answer_and_citations(live: Live) -> None:
    result = call(live.url, "ask", {"question": "Who said the treaty is very timely?"})
    assert not result.is_error
    data = result.structured_content
    assert data["abstained"] is False and "[1]" in data["answer"]
    assert data["citations"][0]["speaker"] == "Andrei Rudenko"
    assert data["citations"][0]["quote"].startswith("I believe this treaty is very timely")


def test_search_quotes_tool_filters_by_speaker(live: Live) -> None:
    result = call(live.url, "search_quotes", {"speaker": "Andrei Rudenko", "limit": 5})
    quotes = result.structured_content["quotes"]
    assert not result.is_error and quotes and {q["speaker"] for q in quotes} == {"Andrei Rudenko"}


def test_speaker_page_tool_merges_aliases_and_groups_repeats(
    speaker_bot: object, request: pytest.FixtureRequest
) -> None:
    url = speaker_server(speaker_bot, request.config).url
    result = call(url, "speaker_page", {"name": "Ms Shea"})
    assert not result.is_error
    page = result.structured_content
    assert page["speaker"] == "Dorothy Shea" and page["quotes"] == 9
    reuters, ap = page["articles"][0], page["articles"][1]
    assert reuters["publisher"] == "Reuters" and reuters["date"] == "2024-10-01"
    fair_game = reuters["quotes"][0]
    assert fair_game["quote"].startswith("North Korean troops who enter Ukraine")
    assert ap["doc_id"] in fair_game["also_in"] and len(fair_game["also_in"]) == 2
    assert [q["quote"] for q in ap["repeated"]] == [fair_game["quote"]]
    missing = call(url, "speaker_page", {"name": "Angela Merkel"})
    assert missing.is_error and "No speaker called 'Angela Merkel'" in missing.content[0].text


@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("ask", {"question": "  "}, "question is empty"),
        ("search_quotes", {"limit": 1000}, "limit must be between 1 and 200"),
        ("speaker_page", {"name": " "}, "Type a speaker's name"),
        ("speaker_page", {"name": "Rudenko", "limit": 0}, "limit must be between 1 and 1000"),
    ],
)
def test_bad_arguments_are_tool_errors(
    live: Live, tool: str, arguments: dict[str, Any], words: str
) -> None:
    result = call(live.url, tool, arguments)
    assert result.is_error and words in result.content[0].text
