"""Answer text in pieces for streaming surfaces (the OpenAI-compatible stream, the chat)."""

from __future__ import annotations

from collections.abc import Iterator

CHUNK_WORDS = 4


def text_chunks(text: str, words: int = CHUNK_WORDS) -> Iterator[str]:
    """The text in pieces of a few words; joined back they give the text exactly."""
    parts = text.split(" ")
    for i in range(0, len(parts), words):
        chunk = " ".join(parts[i : i + words])
        yield chunk if i + words >= len(parts) else chunk + " "
