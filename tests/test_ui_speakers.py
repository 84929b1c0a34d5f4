"""The Speakers tab and the downloads: pickers that search as you type, the page's HTML (article
text escaped), and the whole flow in Debian's chromium — type, pick, read, plot, download."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from live_server import Live, speaker_server
from ui_browser import CHROMIUM_ARGS, chromium_path, open_chat

from bot.pages import speaker_page
from ui.chat import export_answer, respond
from ui.downloads import ExportFiles
from ui.pickers import PICKER_SIZE, article_choices, speaker_choices
from ui.speakers import page_html, timeline_frame

pytestmark = pytest.mark.slow
FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"
HOSTILE = "=SUM(A1:A9) is *not* a <b>formula</b> | we [promise](x)"
SHOT = Path(tempfile.gettempdir()) / "quotebot-ui-speakers.png"  # outside the repo


def test_pickers_search_as_you_type_and_label_the_match(speaker_bot: Any) -> None:
    assert speaker_choices(speaker_bot, "ms sh") == [("Dorothy Shea (as Ms Shea)", "Dorothy Shea")]
    assert speaker_choices(speaker_bot, "NEBEN") == [("Vassily Nebenzia", "Vassily Nebenzia")]
    assert speaker_choices(speaker_bot, "merkel", "Any speaker") == [("Any speaker", "")]
    assert 3 <= len(speaker_choices(speaker_bot, "")) <= PICKER_SIZE
    (label, doc_id), *_ = article_choices(speaker_bot, "guardian")
    assert label == "The Guardian: =Allies weigh response to troop deployment"
    assert speaker_bot.document(doc_id)["publisher"] == "The Guardian"


def test_page_html_escapes_article_text_and_links_repeats(speaker_bot: Any) -> None:
    page = speaker_page(speaker_bot, "Shea")
    html = page_html(page)
    assert "&lt;b&gt;formula&lt;/b&gt;" in html and "<b>formula" not in html
    assert f'<mark class="qb-quote">{FAIR_GAME}</mark>' in html
    assert "also in 2 articles: " in html and html.count('<section class="qb-article"') == 4
    assert html.index("Reuters") < html.index("Associated Press") < html.index("Wire")
    frame = timeline_frame(page)
    assert frame.to_dict("records") == [
        {"date": "2024-10-01", "quotes": 3},
        {"date": "2024-10-15", "quotes": 3},
        {"date": "2024-11-02", "quotes": 2},
    ]


def test_answer_download_holds_the_answer(speaker_bot: Any, tmp_path: Path) -> None:
    question = "Who said this is a reckless step that widens the war?"
    *_, (_, _, sources, kept) = respond(speaker_bot, question, [], "", "")
    assert "Dorothy Shea" in sources
    update = export_answer(ExportFiles(tmp_path), kept, "csv")
    path = Path(update["value"])
    assert update["interactive"] and path.name == (
        "quotebot-who-said-this-is-a-reckless-step-that-widens-the-war.csv"
    )
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0]["quote"] == "This is a reckless step that widens the war,"
    assert rows[0]["question"] == question and rows[0]["speaker"] == "Dorothy Shea"
    assert export_answer(ExportFiles(tmp_path), None, "csv")["interactive"] is False


def test_export_files_keep_only_the_latest(tmp_path: Path) -> None:
    files = ExportFiles(tmp_path, keep=2)
    paths = [files.write(f"text {n}", "quotebot-x.csv") for n in range(3)]
    assert [p.exists() for p in paths] == [False, True, True]
    assert paths[2].read_text() == "text 2" and paths[2].name == "quotebot-x.csv"


@pytest.fixture(scope="module")
def live(speaker_bot: Any, request: pytest.FixtureRequest) -> Live:
    return speaker_server(speaker_bot, request.config)


def _download(page: Any, button: str) -> tuple[str, str]:
    with page.expect_download(timeout=30_000) as info:
        page.locator(button).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


def _speakers_tab(url: str) -> dict[str, Any]:
    """Open the Speakers tab, type part of an alias, pick the speaker, read the page, download
    it as CSV and as Markdown; then filter the Ask tab's speakers the same way, ask, and
    download the answer."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            open_chat(page, url + "/")
            page.get_by_role("tab", name="Speakers").click()
            box = page.locator("#qb-page-speaker input")
            box.click()
            box.press_sequentially("ms sh", delay=80)
            option = page.locator("#qb-page-speaker [role=option]", has_text="Dorothy Shea")
            option.wait_for(timeout=30_000)
            seen["options"] = page.locator("#qb-page-speaker [role=option]").all_inner_texts()
            option.click()
            page.locator("#qb-page .qb-article").first.wait_for(timeout=30_000)
            page.locator("#qb-timeline svg .mark-rect path").first.wait_for(timeout=30_000)
            seen["head"] = page.locator("#qb-page .qb-page-head").inner_text()
            seen["articles"] = page.locator("#qb-page .qb-article .qb-meta").all_inner_texts()
            seen["first"] = page.locator("#qb-page .qb-page-quote").first.inner_text()
            seen["marks"] = page.locator("#qb-page mark.qb-quote").all_inner_texts()
            seen["tags"] = page.locator("#qb-page mark").evaluate_all(
                "ms => ms.flatMap(m => [...m.querySelectorAll('*')].map(e => e.tagName))"
            )
            seen["bars"] = page.locator("#qb-timeline svg .mark-rect path").count()
            seen["csv"] = _download(page, "#qb-download")
            page.locator("#qb-format label", has_text="Markdown").click()
            page.wait_for_function(
                "() => document.querySelector('#qb-download').innerText.includes('Markdown')"
            )
            seen["md"] = _download(page, "#qb-download")
            page.screenshot(path=str(SHOT), full_page=True)
            page.get_by_role("tab", name="Ask").click()
            ask_box = page.locator("#qb-speaker input")
            ask_box.click()
            ask_box.press_sequentially("nebenz", delay=80)
            nebenzia = page.locator("#qb-speaker [role=option]", has_text="Vassily Nebenzia")
            nebenzia.wait_for(timeout=30_000)
            seen["ask_options"] = page.locator("#qb-speaker [role=option]").all_inner_texts()
            nebenzia.click()
            page.locator("#qb-question textarea").fill("What did he say about the accusations?")
            page.locator("#qb-ask").click()
            page.locator("#qb-sources .qb-source").first.wait_for(timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('#qb-answer-download').disabled", timeout=30_000
            )
            seen["answer_csv"] = _download(page, "#qb-answer-download")
            seen["dialogs"] = dialogs
        finally:
            browser.close()
    return seen


@pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed")
def test_browser_speakers_tab_picks_shows_plots_and_downloads(live: Live) -> None:
    seen = _speakers_tab(live.url)
    assert seen["options"] == ["Dorothy Shea (as Ms Shea)"]
    assert seen["head"].startswith("Dorothy Shea · 9 quotes (7 distinct) in 4 articles")
    assert seen["articles"] == ["Reuters", "Associated Press", "The Guardian", "Wire"]
    assert seen["first"].startswith(FAIR_GAME) and "also in 2 articles" in seen["first"]
    assert HOSTILE in seen["marks"] and seen["tags"] == [] and seen["dialogs"] == []
    assert seen["bars"] == 3  # three dated days; the undated article has no bar
    name, text = seen["csv"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert name == "quotebot-dorothy-shea.csv" and len(rows) == 9
    assert rows[0]["quote"] == FAIR_GAME and "'" + HOSTILE in {r["quote"] for r in rows}
    name, text = seen["md"]
    assert name == "quotebot-dorothy-shea.md" and text.startswith("## Quotes by Dorothy Shea")
    assert "*US envoy warns Pyongyang over troops*, Reuters, 2024\\-10\\-01" in text
    # The Ask tab's filter searches as you type too ("Any speaker" stays, to clear it).
    assert [o for o in seen["ask_options"] if o != "Any speaker"] == ["Vassily Nebenzia"]
    name, text = seen["answer_csv"]
    rows = list(csv.DictReader(io.StringIO(text)))  # the filtered listing the chat showed
    assert name == "quotebot-what-did-he-say-about-the-accusations.csv"
    assert rows[0]["answer"].startswith("Quotes by Vassily Nebenzia closest to your question")
    assert {r["speaker"] for r in rows} == {"Vassily Nebenzia"}
    assert rows[0]["quote"] == "These accusations are wholly unsubstantiated,"
    assert SHOT.stat().st_size > 20_000
