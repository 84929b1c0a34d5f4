"""The one place that reads the environment (``QUOTEBOT_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable; CLI options and env vars (QUOTEBOT_STORE, …) land here."""

    model_config = SettingsConfigDict(env_prefix="QUOTEBOT_", extra="ignore")

    store: Path = Path(".quotebot")
    chroma_url: str | None = None
    collection_prefix: str = "quotebot"

    # Retrieval and answering.
    top_k: int = 5
    candidates: int = 40
    abstain_below: float = 0.5

    # Optional LLM (any LangChain chat model); empty means the extractive answerer.
    llm_provider: str = ""  # "openai" (any OpenAI-compatible base URL) or "ollama"
    llm_model: str = ""
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_context_tokens: int = 3000
    prompt_version: str = "answer.v1"

    # Serving.
    admin_token: str | None = None
    max_question_chars: int = 2000
    max_body_bytes: int = 1_000_000

    # Ingest.
    batch_size: int = 16
    workers: int = 1  # extraction processes (`ingest --workers N`); with Ray, its actors
    # Fault injection, for tests only: a --workers process given an article holding this text
    # exits; with Ray, "N:FILE" makes the worker writing its N-th batch exit mid-write, once.
    test_crash_on: str = ""
    test_kill_batch: str = ""
