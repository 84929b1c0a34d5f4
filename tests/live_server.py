"""One real quotebot server per test session: uvicorn in a thread on a free 127.0.0.1 port.

It serves conftest's ``seeded_store`` (the four example articles) read-only: no admin token is
set, so ingest over HTTP is off. The server test modules share it (models load once), through
``live_server(seeded_store, config)``.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from bot.core import Bot
from bot.settings import Settings
from ui.app import create_app, warm_up


@dataclass
class Live:
    url: str
    bot: Bot
    settings: Settings


_LIVE: Live | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(settings: Settings, bot: Bot, timeout: float = 60) -> tuple[str, uvicorn.Server]:
    """Serve ``create_app`` in a daemon thread; returns the base URL once it accepts requests."""
    port = free_port()
    config = uvicorn.Config(
        lambda: create_app(settings, bot),
        factory=True,  # built inside the server's loop, so Gradio opens no stray event loops
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True, name="quotebot-test-server").start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError(f"The test server did not start on port {port} in {timeout} s.")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def live_server(store: Path, config: pytest.Config) -> Live:
    """The session's server (started on first use, stopped when pytest exits)."""
    global _LIVE
    if _LIVE is None:
        settings = Settings(store=store, admin_token=None, max_body_bytes=200_000)
        bot = Bot.build(settings)
        warm_up(bot)
        url, server = start(settings, bot)

        def stop() -> None:
            server.should_exit = True

        config.add_cleanup(stop)
        _LIVE = Live(url, bot, settings)
    return _LIVE


_SPEAKERS: Live | None = None


def speaker_server(bot: Bot, config: pytest.Config) -> Live:
    """A server over conftest's ``speaker_bot`` (one speaker under three aliases in four
    articles), started once and shared by the speaker-page tests of REST, MCP and the UI."""
    global _SPEAKERS
    if _SPEAKERS is None:
        warm_up(bot)
        url, server = start(bot.settings, bot)

        def stop() -> None:
            server.should_exit = True

        config.add_cleanup(stop)
        _SPEAKERS = Live(url, bot, bot.settings)
    return _SPEAKERS
