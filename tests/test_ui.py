"""The Gradio chat: through ``gradio_client``, and in a real chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client
from live_server import Live, live_server
from ui_browser import ask_in_browser, chromium_path

from store.types import Hit
from ui.chat import plain_text
from ui.html import render_article, sources_panel

pytestmark = pytest.mark.slow
SEED_Q = "Who said the treaty is very timely?"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def live(seeded_store: Path, request: pytest.FixtureRequest) -> Live:
    return live_server(seeded_store, request.config)


@pytest.fixture(scope="module")
def gradio(live: Live) -> Client:
    return Client(f"{live.url}/", verbose=False, analytics_enabled=False, download_files=False)


def test_gradio_client_ask_streams_answer_and_sources(gradio: Client) -> None:
    chat, box, sources = gradio.predict(SEED_Q, [], "", "", api_name="/ask")
    assert box == "" and chat[0]["role"] == "user" and chat[-1]["role"] == "assistant"
    content = chat[-1]["content"]
    shown = content[0]["text"] if isinstance(content, list) else content
    answer = plain_text(str(shown))  # the chat's Markdown escapes article text
    assert "[1]" in answer and "Rudenko" in answer and "I believe this treaty" in answer
    assert '<mark class="qb-quote">I believe this treaty is very timely' in sources
    assert "Andrei Rudenko" in sources and "/articles/" in sources


def test_speaker_filter_lists_only_that_speaker(gradio: Client) -> None:
    _, _, sources = gradio.predict("North Korea", [], "Andrei Rudenko", "", api_name="/ask")
    speakers = sources.count('class="qb-speaker"')
    assert speakers >= 1 and sources.count(">Andrei Rudenko</span>") == speakers


def test_nobody_said_it_says_so(gradio: Client) -> None:
    chat, _, sources = gradio.predict("Who said the moon is cheese?", [], "", "", api_name="/ask")
    assert "qb-source" not in sources and "No one in these articles said that" in sources
    assert chat[-1]["content"]


def test_empty_question_is_a_gradio_error(gradio: Client) -> None:
    with pytest.raises(Exception, match="question is empty"):
        gradio.predict("   ", [], "", "", api_name="/ask")


def test_rendering_escapes_html_and_marks_the_quote() -> None:
    text = "Intro line.\nShe said <b>“x & y”</b> loudly.\nNext."
    start = text.index("“")
    hit = Hit(
        "d:1",
        "“x & y”",
        "Ann <Lee>",
        "she",
        "direct",
        "said",
        "abc123",
        "T",
        "P",
        "2024",
        "upload:t",
        start,
        start + 7,
    )
    html = sources_panel([hit], {"abc123": text})
    assert '<mark class="qb-quote">“x &amp; y”</mark>' in html and "Ann &lt;Lee&gt;" in html
    assert "Intro line" not in html and "Next." not in html  # only the quote's paragraph
    page = render_article(
        {"doc_id": "abc123", "title": "T", "text": text, "quotes": [hit.citation()]}
    )
    assert f'<mark id="q-{start}" title="Ann &lt;Lee&gt;">“x &amp; y”</mark>' in page


@pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed")
def test_browser_shows_quote_speaker_and_highlighted_source(live: Live) -> None:
    shot = ARTIFACTS / "ui_seed_question.png"
    seen = ask_in_browser(f"{live.url}/", SEED_Q, shot)
    assert seen["status"].startswith("4 articles")
    assert "Rudenko" in seen["answer"] and "[1]" in seen["answer"]
    assert seen["speaker"] == "Andrei Rudenko"
    assert seen["highlight"].startswith("I believe this treaty is very timely")
    assert seen["highlight"] in seen["context"] and len(seen["context"]) > len(seen["highlight"])
    assert seen["article_target"] == seen["highlight"] and seen["article_marks"] >= 3
    assert shot.stat().st_size > 20_000


def test_empty_index_says_how_to_fill_it(tmp_path: Path) -> None:
    from bot.core import Bot
    from bot.settings import Settings
    from ui.chat import EMPTY_INDEX, respond

    bot = Bot.build(Settings(store=tmp_path / "empty"))
    *_, (chat, box, sources, kept) = respond(bot, "Who said it?", [], "", "")
    assert chat[-1] == {"role": "assistant", "content": EMPTY_INDEX}
    assert "quotebot ingest PATH" in sources and box == ""
    assert kept.abstained and kept.answer == EMPTY_INDEX  # what the download would export
