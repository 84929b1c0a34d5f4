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
    abstain_below: float | None = None  # None: the fitted ranker's threshold

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

    # Fetching web pages and feeds (`quotebot ingest URL`, `quotebot read URL`).
    fetch_timeout: float = 10.0  # seconds to connect, and between two reads
    fetch_max_bytes: int = 5_000_000  # per page, after decompression
    # Networks fetched although not public, comma-separated ("127.0.0.1/32"); by default only
    # public addresses are reached (no loopback, private, link-local: no SSRF).
    fetch_allow_networks: str = ""
    # POST /api/ingest may fetch "urls" (still behind the admin token); off by default.
    http_url_ingest: bool = False

    workers: int = 1  # extraction processes (`ingest --workers N`); with Ray, its actors
    # Fault injection, for tests only: a --workers process given an article holding this text
    # exits; with Ray, "N:FILE" makes the worker writing its N-th batch exit mid-write, once.
    test_crash_on: str = ""
    test_kill_batch: str = ""
