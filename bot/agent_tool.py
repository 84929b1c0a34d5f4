"""quotebot as a tool for LangChain agents: the answer text for the model, the cited quotes as
``Document``s in the tool message's ``artifact`` (for the application, never paraphrased).

    from langchain.agents import create_agent
    agent = create_agent(model, [quote_tool(Bot.build())])   # or quote_agent(bot, model)
    result = agent.invoke({"messages": [{"role": "user", "content": "Who said …?"}]})
    docs = result["messages"][-2].artifact                   # the ToolMessage's Documents

The tool itself needs only langchain-core; ``quote_agent`` needs ``langchain`` (the ``agent``
extra: ``pip install 'quotebot[agent]'``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document
from langchain_core.tools import BaseTool, tool

from bot.retriever import QuoteRetriever
from bot.types import Answer
from store.errors import ConfigError, QuoteBotError

TOOL_NAME = "find_quotes"
SYSTEM_PROMPT = (
    "You answer questions about who said what in a collection of news articles. Always call "
    f"the {TOOL_NAME} tool and quote only the exact words it returns, naming the speaker and "
    "the article. If it says no one said it, say so; never write a quotation yourself."
)


def quote_tool(bot: Any, k: int = 5, name: str = TOOL_NAME) -> BaseTool:
    """A ``content_and_artifact`` tool over ``bot``: text for the model, Documents as artifact."""
    retriever = QuoteRetriever(bot=bot, k=k)

    @tool(name, response_format="content_and_artifact", parse_docstring=True)
    def find_quotes(
        question: str, speaker: str = "", publisher: str = "", since: str = "", until: str = ""
    ) -> tuple[str, list[Document]]:
        """Find who said something in the indexed news articles, with the exact quote.

        Every quote returned is verbatim from the named article. When no one in the articles
        said it, the answer says so and no quote is returned.

        Args:
            question: The question, e.g. "Who said the troops would be fair game?" or a topic
                to search in one speaker's quotes.
            speaker: Only quotes by this person (full name or surname); empty for anyone.
            publisher: Only articles from this publisher (part of its name); empty for any.
            since: Only articles published on or after this date (YYYY-MM-DD); empty for any.
            until: Only articles published on or before this date (YYYY-MM-DD); empty for any.
        """
        try:
            answer, docs = retriever.search(
                question, speaker=speaker, publisher=publisher, since=since, until=until
            )
        except QuoteBotError as e:
            return f"Error: {e}", []
        return tool_content(answer, docs), docs

    return find_quotes


def tool_content(answer: Answer | None, docs: list[Document]) -> str:
    """What the model reads: the answer when its [n] markers match the documents (no filter
    dropped a cited quote), then each quote numbered with its source."""
    if answer is not None and answer.abstained:
        return answer.answer
    if not docs:
        return "No quote in the indexed articles matches that with these filters."
    lines = ["Quotes:"]
    cited = [h.id for h in answer.quotes] if answer else []
    if answer and cited and [d.id for d in docs[: len(cited)]] == cited:
        lines = [answer.answer, "", "Quotes:"]
    for n, d in enumerate(docs, start=1):
        m = d.metadata
        where = ", ".join(str(x) for x in (m["title"], m["publisher"], m["published"]) if x)
        lines.append(f"[{n}] {m['speaker'] or 'Unknown'}: “{d.page_content}” — {where}")
    return "\n".join(lines)


def quote_agent(bot: Any, model: Any, k: int = 5, **kwargs: Any) -> Any:
    """A ``langchain.agents.create_agent`` agent with the quote tool and a prompt that keeps
    the model to the tool's words."""
    try:
        from langchain.agents import create_agent
    except ImportError as e:
        raise ConfigError(
            "quote_agent needs the langchain package: pip install 'quotebot[agent]'."
        ) from e
    kwargs.setdefault("system_prompt", SYSTEM_PROMPT)
    return create_agent(model, [quote_tool(bot, k)], **kwargs)
