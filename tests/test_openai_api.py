"""/v1/chat/completions through the official ``openai`` client, streaming and not."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest
from live_server import Live, live_server

pytestmark = pytest.mark.slow
SEED_Q = "Who said the treaty is very timely?"


@pytest.fixture(scope="module")
def live(seeded_store: Path, request: pytest.FixtureRequest) -> Live:
    return live_server(seeded_store, request.config)


@pytest.fixture(scope="module")
def client(live: Live) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live.url}/v1", api_key="unused", max_retries=0, timeout=60)


def test_completion_keeps_citations_on_the_message(client: openai.OpenAI) -> None:
    done = client.chat.completions.create(
        model="quotebot", messages=[{"role": "user", "content": SEED_Q}]
    )
    message = done.choices[0].message
    cites = message.model_extra["citations"]
    assert done.choices[0].finish_reason == "stop" and message.role == "assistant"
    assert cites[0]["index"] == 1 and cites[0]["speaker"] == "Andrei Rudenko"
    assert cites[0]["quote"].startswith("I believe this treaty is very timely")
    assert "[1]" in (message.content or "")
    assert done.model_extra["citations"] == cites


def test_stream_rebuilds_the_same_text_and_ends_with_citations(client: openai.OpenAI) -> None:
    plain = (
        client.chat.completions.create(
            model="quotebot", messages=[{"role": "user", "content": SEED_Q}]
        )
        .choices[0]
        .message
    )
    chunks = list(
        client.chat.completions.create(
            model="quotebot", messages=[{"role": "user", "content": SEED_Q}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3 and text == plain.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.model_extra["citations"]
    assert last.choices[0].delta.model_extra["citations"][0]["speaker"] == "Andrei Rudenko"
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])


def test_history_and_content_parts_are_understood(client: openai.OpenAI) -> None:
    done = client.chat.completions.create(
        model="quotebot",
        messages=[
            {"role": "system", "content": "Answer with quotes."},
            {"role": "user", "content": SEED_Q},
            {"role": "assistant", "content": "Andrei Rudenko [1]"},
            {"role": "user", "content": [{"type": "text", "text": "What else did Rudenko say?"}]},
        ],
    )
    cites = done.choices[0].message.model_extra["citations"]
    assert cites and {c["speaker"] for c in cites} == {"Andrei Rudenko"}


def test_nobody_said_it_has_no_citations(client: openai.OpenAI) -> None:
    done = client.chat.completions.create(
        model="quotebot", messages=[{"role": "user", "content": "Who said the moon is cheese?"}]
    )
    assert done.choices[0].message.model_extra["citations"] == []
    assert done.choices[0].message.content


def test_models_lists_quotebot(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["quotebot"]


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        ([{"role": "assistant", "content": "hi"}], "last message must have role `user`"),
        ([{"role": "user", "content": ""}], "question is empty"),
        ([], "messages"),
    ],
)
def test_bad_requests_are_4xx_with_a_sentence(
    client: openai.OpenAI, live: Live, messages: list[dict[str, str]], words: str
) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="quotebot", messages=messages)
    assert 400 <= caught.value.status_code < 500
    r = httpx.post(f"{live.url}/v1/chat/completions", json={"messages": messages}, timeout=30)
    assert words in r.json()["detail"]
