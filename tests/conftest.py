"""Shared fixtures: real spaCy, real MiniLM, real Chroma — in temporary directories only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches a user's store or a configured server."""
    monkeypatch.setenv("QUOTEBOT_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("QUOTEBOT_CHROMA_URL", raising=False)
    for name in ("QUOTEBOT_LLM_PROVIDER", "QUOTEBOT_LLM_MODEL", "QUOTEBOT_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the four example articles, built once per test session."""
    from bot.core import Bot
    from bot.settings import Settings

    store = tmp_path_factory.mktemp("seeded") / "store"
    report = Bot.build(Settings(store=store)).ingest([EXAMPLES])
    assert report.documents == 4 and not report.errors
    return store


@pytest.fixture(scope="session")
def seeded_bot(seeded_store: Path) -> Iterator[object]:
    """A Bot over the seeded store (shared; tests must not write to it)."""
    from bot.core import Bot
    from bot.settings import Settings

    yield Bot.build(Settings(store=seeded_store))


@pytest.fixture(scope="session")
def speaker_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Bot over ``fixtures/speaker_articles.jsonl``: one speaker under three aliases in four
    dated (one undated) articles from four publishers, one quote repeated in three of them."""
    from bot.core import Bot
    from bot.settings import Settings

    store = tmp_path_factory.mktemp("speakers") / "store"
    bot = Bot.build(Settings(store=store))
    report = bot.ingest([ROOT / "tests" / "fixtures" / "speaker_articles.jsonl"])
    assert report.documents == 4 and not report.errors
    yield bot
