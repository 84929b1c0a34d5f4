"""Article text that holds markup is shown as stored in the chat, in a real chromium.

Quotes and titles are untrusted: HTML tags, Markdown emphasis, links and headings in them must
appear as the characters the article has, and no element may come from them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from live_server import start
from ui_browser import CHROMIUM_ARGS, chromium_path, open_chat

from bot.core import Bot
from bot.settings import Settings
from ui.chat import markdown_text, plain_text

pytestmark = pytest.mark.slow

ARTICLES = [
    {
        "title": "Evil headline <img src=x onerror=alert(1)>",
        "publisher": "Bridge <i>Times</i>",
        "text": (
            "Evil headline <img src=x onerror=alert(1)>\n"
            "The city council met on Tuesday to discuss the old bridge.\n"
            "“We will <script>alert(document.cookie)</script> rebuild the bridge by May,” "
            "Mayor Ann Lee said on Tuesday.\n"
            "“*Every* _single_ [bolt](http://127.0.0.1:9/x) was checked # twice,” Lee added.\n"
        ),
    },
    {
        "title": "<script>alert(3)</script> Council vote",
        "text": (
            "Council vote\n"
            "The council voted on Wednesday after a long debate about the ballots.\n"
            "“<b onmouseover=alert(2)>the vote is rigged</b>,” said Tom Ray, a council member.\n"
        ),
    },
]
QUESTIONS = {
    "Who said they would rebuild the bridge by May?": "rebuild the bridge by May",
    "Who said every single bolt was checked twice?": "was checked",
    "Who said the vote is rigged?": "the vote is rigged",
}


def test_markdown_text_round_trips_and_escapes() -> None:
    raw = "# *a* _b_ [c](d) <b>e</b> & `f` $$g$$ \\ h."
    shown = markdown_text(raw)
    assert "<" not in shown and "*a*" not in shown and plain_text(shown) == raw


@pytest.fixture(scope="module")
def markup_server(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Bot]:
    root = tmp_path_factory.mktemp("markup")
    feed = root / "markup.jsonl"
    feed.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    settings = Settings(store=root / "store", admin_token=None)
    bot = Bot.build(settings)
    report = bot.ingest([feed])
    assert report.documents == 2 and not report.errors
    url, server = start(settings, bot)
    yield url, bot
    server.should_exit = True


def _chat(url: str, questions: list[str]) -> list[dict[str, Any]]:
    """Ask each question in the page; what the last bot bubble shows, and what it holds."""
    from playwright.sync_api import sync_playwright

    seen: list[dict[str, Any]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            open_chat(page, url + "/")
            for n, question in enumerate(questions, 1):
                page.locator("#qb-question textarea").fill(question)
                page.locator("#qb-ask").click()
                page.wait_for_function(
                    "n => document.querySelectorAll('#qb-sources .qb-source').length > 0"
                    " && document.querySelectorAll('#qb-chat .message.bot').length >= n",
                    arg=n,
                    timeout=60_000,
                )
                page.wait_for_timeout(300)  # the last streamed piece
                bubble = page.locator("#qb-chat .message.bot").last
                seen.append(
                    {
                        "text": bubble.inner_text(),
                        "tags": bubble.evaluate(
                            "b => [...b.querySelectorAll('script,img,b,i,em,strong,a,h1,h2,h3')]"
                            ".map(e => e.tagName)"
                        ),
                        "dialogs": list(dialogs),
                    }
                )
        finally:
            browser.close()
    return seen


@pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed")
def test_chat_shows_article_markup_as_typed(markup_server: tuple[str, Bot]) -> None:
    url, bot = markup_server
    answers = [bot.ask(q) for q in QUESTIONS]
    for answer, fragment in zip(answers, QUESTIONS.values(), strict=True):
        assert not answer.abstained and fragment in answer.quotes[0].quote
    seen = _chat(url, list(QUESTIONS))
    for answer, shown in zip(answers, seen, strict=True):
        top = answer.quotes[0]
        assert top.quote in shown["text"], (top.quote, shown["text"])
        assert top.title in shown["text"] or top.title not in answer.answer
        assert shown["tags"] == [] and shown["dialogs"] == []
    assert "<script>alert(document.cookie)</script>" in seen[0]["text"]
    assert "*Every* _single_ [bolt](http://127.0.0.1:9/x)" in seen[1]["text"]
    assert "<b onmouseover=alert(2)>the vote is rigged</b>" in seen[2]["text"]
