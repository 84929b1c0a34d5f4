"""The HTML golden set (tests/golden/html): every quote line kept, metadata read, chrome gone.

Figures (F1/P/R beside trafilatura) are printed by bench/html_extraction.py; this checks the
promises page by page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from store.clean import fix_text
from store.read import read_paths
from store.types import Article

GOLDEN = Path(__file__).resolve().parent / "golden" / "html"
_WORDS = re.compile(r"\w+")


def _words(text: str) -> str:
    return " " + " ".join(_WORDS.findall(fix_text(text).casefold())) + " "


@pytest.fixture(scope="module")
def read() -> dict[str, Article]:
    items = list(read_paths([GOLDEN / "pages"]))
    assert all(isinstance(i, Article) for i in items), [i for i in items if not hasattr(i, "text")]
    return {Path(a.source_path).stem: a for a in items if isinstance(a, Article)}


def _truth(stem: str) -> list[str]:
    return [
        line for line in (GOLDEN / "truth" / f"{stem}.txt").read_text("utf-8").split("\n") if line
    ]


def test_every_page_is_read(read: dict[str, Article]) -> None:
    assert sorted(read) == sorted(p.stem for p in (GOLDEN / "truth").glob("*.txt"))
    assert len(read) == 36


def test_every_quoted_line_of_the_truth_is_kept(read: dict[str, Article]) -> None:
    """A quote in a dropped line is lost for good; a line whose words stand in another truth
    line (a heading that repeats a quote of the text) may go, its words stay."""
    lost = []
    for stem, article in read.items():
        truth = _truth(stem)
        text = _words(article.text)
        for line in truth:
            if not re.search(r"[\"“”«»]", line) or _words(line) in text:
                continue
            if not any(_words(line) in _words(other) for other in truth if other != line):
                lost.append((stem, line[:80]))
    assert lost == []


def test_synthetic_pages_give_their_metadata(read: dict[str, Article]) -> None:
    rows = [json.loads(x) for x in (GOLDEN / "synthetic.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 27
    for row in rows:
        article = read[row["id"]]
        assert (article.title, article.publisher, article.published) == (
            row["title"],
            row["publisher"],
            row["published"],
        )


@pytest.mark.parametrize(
    "chrome",
    [
        "Cancel my subscription",  # a reader comment
        "Share on Facebook",
        "All rights reserved",
        "Listen to this article",
        "Most Popular",
        "Filed under",
        "You have read 4 of 5 free articles",
        "We use cookies",
    ],
)
def test_page_chrome_is_not_article_text(read: dict[str, Article], chrome: str) -> None:
    assert [s for s, a in read.items() if chrome in a.text and s.startswith("polnear")] == []


def test_lines_the_old_cleaning_dropped_are_kept(read: dict[str, Article]) -> None:
    """Subheads and short lines are article text (plain-text heuristics took them as menus)."""
    fox = read["real_fox13now"].text.split("\n")
    assert "Federal: Health care, of course, and vending machines" in fox
    assert "Illinois and drones" in fox
    assert "Will winds whip parade balloons?" in read["real_cnn"].text.split("\n")


def test_source_line_breaks_inside_a_paragraph_are_spaces(read: dict[str, Article]) -> None:
    assert read["real_linknaija"].text.split("\n")[0] == (
        "Photos which were released online and are making the rounds on social media, show "
        "Nigerian actress, Kate Henshaw, looking absolutely stunning in new make-up photos."
    )
