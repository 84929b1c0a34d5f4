"""HTML page → article text and metadata (trafilatura), keeping every line of the article.

Two trafilatura passes read the page: the balanced one (what ``trafilatura.extract`` keeps,
without reader comments) and the precision one. A line of the balanced text stays unless the
precision pass also judged it boilerplate, and a line that quotes someone always stays: a
quote in a dropped line would be lost for good. When the precision pass keeps little of the
page, it has missed the article, and the balanced text is kept whole. Then only whole-line
rules that are safe on extracted article text run (``store.clean.clean_extracted``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from store.clean import QUOTE_MARKS, clean_extracted, fix_text

# Elements whose whitespace means something; elsewhere a browser collapses it, so do we.
_KEEP_SPACE = {"pre", "textarea", "code", "script", "style"}
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_BLOCKS = ".//p|.//div|.//h1|.//h2|.//h3|.//h4|.//ul|.//ol|.//table|.//blockquote|.//section"
LAYOUT_CELL_CHARS = 300
# Below this share of the balanced text, the precision pass has lost the article, not chrome.
PRECISION_MIN_SHARE = 0.25


def _load(html: str) -> Any:
    """An lxml tree as a browser would lay it out: collapsed whitespace, no layout tables."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise ValueError("this HTML page could not be parsed")
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in _KEEP_SPACE:
            continue
        # Source line breaks inside a paragraph are not line breaks on the page.
        if el.text and "\n" in el.text:
            el.text = _SPACE.sub(" ", el.text)
        if el.tail and "\n" in el.tail:
            el.tail = _SPACE.sub(" ", el.tail)
    _unwrap_layout_tables(tree)
    return tree


def _unwrap_layout_tables(tree: Any) -> None:
    """A table that lays out a page (a cell holding paragraphs of text) becomes plain blocks;
    otherwise trafilatura flattens the whole article into one '| … |' table row."""
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th")
        if not any(c.xpath(_BLOCKS) and len(c.text_content()) >= LAYOUT_CELL_CHARS for c in cells):
            continue
        for el in [table, *table.xpath("./*|./*/tr"), *cells]:
            el.tag = "div"


def _words(line: str) -> str:
    """A line by its words: the two passes differ in characters (extract() normalises Unicode,
    bare_extraction does not)."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", line).casefold()))


def merge_passes(balanced: str, precise: str) -> str:
    """The balanced lines the precision pass kept too, plus every line that quotes someone."""
    if len(precise) < PRECISION_MIN_SHARE * len(balanced):
        return balanced
    kept = {_words(line) for line in precise.split("\n")}
    lines = balanced.split("\n")
    return "\n".join(x for x in lines if _words(x) in kept or QUOTE_MARKS.search(x))


def html_to_article_parts(html: str) -> tuple[str, dict[str, str]]:
    """Main article text and metadata (title, url, publisher, published) of an HTML page."""
    import trafilatura

    options: dict[str, Any] = {"include_comments": False, "include_tables": True}
    # A trafilatura Document (a dict only with as_dict=True).
    doc: Any = trafilatura.bare_extraction(_load(html), with_metadata=True, **options)
    if doc is None or not getattr(doc, "text", None):
        raise ValueError("no article text was found in this HTML page")
    precise = trafilatura.extract(_load(html), favor_precision=True, **options) or ""
    meta = {
        "title": doc.title or "",
        "url": doc.url or "",
        "publisher": doc.sitename or "",
        "published": doc.date or "",
    }
    text = clean_extracted(fix_text(merge_passes(doc.text, precise)), meta["title"])
    if not text.strip():
        raise ValueError("no article text was found in this HTML page")
    return text, meta
