"""MCP tools ``ask``, ``search_quotes`` and ``speaker_page`` over streamable HTTP, mounted by the
API at ``/mcp``."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette

from bot.core import Bot
from bot.pages import speaker_page as build_page
from bot.settings import Settings
from store.errors import QuoteBotError

INSTRUCTIONS = (
    "quotebot finds who said what in a collection of news articles. Every quote it returns is "
    "verbatim from the article named with it; an abstained answer means nobody said it there."
)


def build_server(bot: Bot, settings: Settings) -> MCPServer:
    """An MCP server whose tools call the Bot facade; errors come back as tool errors."""
    server = MCPServer("quotebot", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def ask(question: str) -> dict[str, Any]:
        """Answer a question such as "who said X?" with verbatim quotes, speakers and articles.

        Returns the answer text with [n] markers, ``abstained`` (true when no one in the articles
        said it) and ``citations`` numbered like the markers.
        """
        try:
            answer = bot.ask(bot.check_question(question))
        except QuoteBotError as e:
            raise ToolError(str(e)) from e
        return {
            "answer": answer.answer,
            "abstained": answer.abstained,
            "citations": answer.citations(),
        }

    @server.tool()
    def search_quotes(
        q: str = "", speaker: str = "", doc_id: str = "", limit: int = 10
    ) -> dict[str, Any]:
        """Search quotes by text ``q``, ``speaker`` (name or alias) and article ``doc_id``."""
        if not 1 <= limit <= 200:
            raise ToolError(f"limit must be between 1 and 200, not {limit}.")
        try:
            hits = bot.quotes(speaker=speaker, q=q, doc_id=doc_id, limit=limit)
        except QuoteBotError as e:
            raise ToolError(str(e)) from e
        return {"quotes": [h.citation() for h in hits]}

    @server.tool()
    def speaker_page(name: str, limit: int = 200) -> dict[str, Any]:
        """Everything one speaker said: ``name`` is a full name or an alias such as a surname.

        Returns the canonical ``speaker`` and ``aliases``, ``articles`` oldest first, each with
        its ``quotes`` (a quote printed in several articles is listed once, where it first
        appeared, with ``also_in`` naming the other doc ids; later articles list it under
        ``repeated``), and a ``timeline`` of quotes per day or month. ``limit`` (1–1000) caps
        the quotes read; ``truncated`` says the speaker has more.
        """
        try:
            return build_page(bot, name, limit).to_dict()
        except QuoteBotError as e:
            raise ToolError(str(e)) from e

    return server


def build_mcp(bot: Bot, settings: Settings) -> Starlette:
    """The streamable-HTTP app (route ``/mcp``); its lifespan runs the session manager.

    Stateless JSON responses: each call stands alone, so no session state to lose or leak.
    DNS-rebinding protection stays on; it accepts Host headers for localhost/127.0.0.1 only.
    """
    return build_server(bot, settings).streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True
    )
