"""Drive the Gradio chat in Debian's chromium with Playwright (no browser download, ever)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system chromium, if installed (``apt-get install -y chromium``)."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def open_chat(page: Any, url: str, timeout_ms: int = 60_000) -> None:
    """Load the chat and wait until it is usable: the question box and the status line filled
    ("N articles, M quotes indexed." or "No articles are indexed yet", not a loading timer).

    Not "networkidle": Gradio keeps connections open, so the network may never be idle.
    """
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.locator("#qb-question textarea").wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => (document.querySelector('#qb-status')?.innerText || '').includes('indexed')",
        timeout=timeout_ms,
    )


def ask_in_browser(
    url: str, question: str, screenshot: Path, timeout_ms: int = 60_000
) -> dict[str, Any]:
    """Type a question, wait for the sources panel, screenshot it; returns what the page shows."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_chat(page, url, timeout_ms)
            status = page.locator("#qb-status").inner_text(timeout=timeout_ms)
            page.locator("#qb-question textarea").fill(question)
            page.locator("#qb-ask").click()
            source = page.locator("#qb-sources .qb-source").first
            source.wait_for(timeout=timeout_ms)
            bot_messages = page.locator("#qb-chat .message.bot, #qb-chat [data-testid='bot']")
            result = {
                "status": status,
                "answer": bot_messages.last.inner_text(timeout=timeout_ms),
                "speaker": source.locator(".qb-speaker").inner_text(),
                "highlight": source.locator("mark.qb-quote").inner_text(),
                "context": source.locator(".qb-context").inner_text(),
                "link": source.locator("a.qb-link").get_attribute("href"),
            }
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            article = browser.new_page()
            article.goto(url.rstrip("/") + str(result["link"]), timeout=timeout_ms)
            result["article_marks"] = article.locator("article mark").count()
            result["article_target"] = article.locator(
                "#" + str(result["link"]).split("#", 1)[1]
            ).inner_text()
            return result
        finally:
            browser.close()
