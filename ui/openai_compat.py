"""``POST /v1/chat/completions``: OpenAI-compatible, with the citations kept.

The answer text carries [n] markers; ``citations`` (the cited quotes, ``index`` = n) rides on the
message, and on the final chunk when streaming, so no client loses the references.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.types import Answer
from store.errors import InputError
from ui.deps import BotDep
from ui.stream import text_chunks

MODEL = "quotebot"

router = APIRouter(tags=["openai"])


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The subset of the OpenAI request quotebot uses; other fields are accepted and ignored."""

    model: str = MODEL
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


def _text(message: ChatMessage) -> str:
    """Message content as text; content parts other than text are ignored."""
    if isinstance(message.content, list):
        return "".join(p.get("text", "") for p in message.content if p.get("type") == "text")
    return message.content or ""


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The last user message is the question; earlier user/assistant turns are the history."""
    if messages[-1].role != "user":
        raise InputError("The last message must have role `user`: it is the question to answer.")
    history = [
        {"role": m.role, "content": _text(m)}
        for m in messages[:-1]
        if m.role in {"user", "assistant"}
    ]
    return _text(messages[-1]), history


@router.get("/v1/models")
def models() -> dict[str, Any]:
    """The one model this server offers (for clients that list models first)."""
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "quotebot"}]}


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(body: ChatRequest, bot: BotDep) -> dict[str, Any] | StreamingResponse:
    """Answer the last user message; ``stream: true`` sends server-sent events."""
    question, history = split_conversation(body.messages)
    question = bot.check_question(question)
    answer = await run_in_threadpool(bot.ask, question, history)
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = _stream(answer, ident, created)
        return StreamingResponse(events, media_type="text/event-stream")
    cites = answer.citations()
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer, "citations": cites},
                "finish_reason": "stop",
            }
        ],
        "citations": cites,
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _stream(answer: Answer, ident: str, created: int) -> Iterator[str]:
    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in text_chunks(answer.answer):
        yield event({"content": piece})
    cites = answer.citations()
    yield event({"citations": cites}, "stop", citations=cites)
    yield "data: [DONE]\n\n"
