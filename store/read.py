"""Files → Articles: .txt, .md, .html, .jsonl and directories, each problem named with its path."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from store.clean import clean_text, fix_text
from store.frontmatter import split_front_matter
from store.html import html_to_article_parts
from store.types import Article

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
# RSS/Atom files: their entries are web pages, read by store.sources (directories list them).
FEED_SUFFIXES = {".rss", ".atom"}
META_FIELDS = ("title", "url", "publisher", "published")
MAX_BYTES = 20_000_000
# One article, not a book: spaCy takes ~1 minute per million characters on one core.
MAX_ARTICLE_CHARS = 1_000_000


@dataclass
class Problem:
    """A file (or a line of one) that could not be read, and why, in one sentence."""

    path: str
    error: str
    warning: bool = False

    def to_dict(self) -> dict[str, str]:
        key = "warning" if self.warning else "error"
        return {"path": self.path, key: self.error}


def doc_id_for(text: str, meta: dict[str, str] | None = None) -> str:
    """Stable id from content: the same text always gets the same id. A given title, publisher
    or date is part of it, so correcting one re-ingests the article (the URL is not: one story
    at two addresses is one article)."""
    shown = [str((meta or {}).get(k) or "") for k in ("title", "publisher", "published")]
    data = text if not any(shown) else "\x00".join([text, *shown])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def decode(data: bytes, path: str) -> tuple[str, Problem | None]:
    """UTF-8 first; legacy single-byte encodings are decoded with a warning, binary is refused."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as e:
            raise ValueError(f"it starts like UTF-16 text but does not decode ({e.reason})") from e
    if b"\x00" in data[:8192]:
        raise ValueError("it looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin-1"
        text = data.decode(encoding)
    if _looks_binary(text):
        raise ValueError("it is neither UTF-8 nor legible single-byte text (binary data?)")
    return text, Problem(path, f"not UTF-8; decoded as {encoding}", warning=True)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > len(sample) * 0.01


def make_article(
    raw: str,
    source_path: str,
    meta: dict[str, str] | None = None,
    clean: Callable[[str], str] = clean_text,
) -> Article:
    """Clean a text and wrap it; the title defaults to the first line. Plain text gets the
    boilerplate heuristics; text extracted from HTML is already clean and only gets
    ``fix_text``."""
    meta = {k: str((meta or {}).get(k) or "").strip() for k in META_FIELDS}
    if len(raw) > MAX_ARTICLE_CHARS:
        raise ValueError(
            f"the article is {len(raw):,} characters; the limit is {MAX_ARTICLE_CHARS:,} per "
            "article (put many articles in one .jsonl file, one per line)"
        )
    text = clean(raw)
    if not text.strip():
        raise ValueError("no article text is left after cleaning (empty or only boilerplate)")
    title = meta["title"] or _first_line(text)
    return Article(
        doc_id=doc_id_for(text, meta),
        text=text,
        title=title,
        source_path=source_path,
        url=meta["url"],
        publisher=meta["publisher"],
        published=meta["published"],
    )


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= 200 else line[:197].rsplit(" ", 1)[0] + "…"


_MD_PATTERNS = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # headings
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*([-*_]\s*){3,}$", re.M), ""),  # rules
]


def markdown_to_text(text: str) -> str:
    """Drop Markdown markup, keep the words."""
    for pattern, repl in _MD_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def read_file(path: Path) -> Iterator[Article | Problem]:
    """Articles from one file; problems come back as values so the batch goes on."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise ValueError("the file is empty")
        if size > MAX_BYTES:
            raise ValueError(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        text, warning = decode(path.read_bytes(), name)
    except PermissionError:
        yield Problem(name, "permission denied: quotebot cannot read this file")
        return
    except (OSError, ValueError) as e:
        yield Problem(name, _reason(e))
        return
    if warning:
        yield warning
    suffix = path.suffix.lower()
    name = str(path.resolve())  # the stored source_path: stable across working directories
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(text, name)
        return
    if suffix in FEED_SUFFIXES:
        yield Problem(name, "this is a feed: its entries are web pages, read with URL fetching")
        return
    try:
        yield read_text(text, name, suffix)
    except ValueError as e:
        yield Problem(name, str(e))


def read_text(text: str, name: str, suffix: str) -> Article:
    """One article from the decoded text of a .html, .md or .txt file (front matter read)."""
    if suffix in HTML_SUFFIXES:
        return html_article(text, name)
    meta, body = split_front_matter(text)
    if suffix in {".md", ".markdown"}:
        body = markdown_to_text(body)
    return make_article(body, name, meta)


def html_article(
    html: str,
    name: str,
    meta: dict[str, str] | None = None,
    fallback: dict[str, str] | None = None,
) -> Article:
    """An article from an HTML page: metadata given by the caller wins over the page's, and
    ``fallback`` (a feed entry's title and date) fills what neither has."""
    body, found = html_to_article_parts(html)
    given, spare = meta or {}, fallback or {}
    merged = {k: given.get(k) or found.get(k) or spare.get(k) or "" for k in META_FIELDS}
    return make_article(body, name, merged, clean=fix_text)


def _reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[0].lower() + e.strerror[1:]
    return str(e)


def _read_jsonl(text: str, name: str) -> Iterator[Article | Problem]:
    """One article per line; a broken line is reported with its number and skipped."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield Problem(where, f"line {lineno} is not valid JSON ({e.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield Problem(where, f'line {lineno} has no "text" string field')
            continue
        meta = {k: str(record.get(k) or "") for k in META_FIELDS}
        try:
            body = record["text"]
            if re.search(r"<(p|div|article|html|body)\b", body[:2000], re.I):
                yield html_article(body, where, meta)
            else:
                yield make_article(body, where, meta)
        except ValueError as e:
            yield Problem(where, f"line {lineno}: {e}")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Problem]:
    """Expand directories recursively (no symlink following, so no loops); sorted, stable."""
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            yield Problem(str(path), "no such file or directory")
        elif path.is_symlink() and not path.exists():
            yield Problem(str(path), "broken or looping symbolic link")
        elif path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(root: Path) -> Iterator[Path | Problem]:
    for dirpath, dirnames, filenames in os.walk(root, onerror=None, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if filename.startswith("."):
                continue
            if path.is_symlink() and not path.exists():
                yield Problem(str(path), "broken or looping symbolic link")
            elif path.suffix.lower() in SUFFIXES | FEED_SUFFIXES:
                yield path


def read_paths(paths: Iterable[str | Path]) -> Iterator[Article | Problem]:
    """Every article under the given paths, in a stable order, with problems interleaved."""
    for item in iter_files(paths):
        if isinstance(item, Problem):
            yield item
        else:
            yield from read_file(item)


def count_articles(paths: Iterable[str | Path]) -> int:
    """About how many articles ``read_paths`` will yield (a JSONL file: its non-blank lines),
    for a progress bar; unreadable files count as one."""
    total = 0
    for item in iter_files(paths):
        if isinstance(item, Problem):
            continue
        if item.suffix.lower() not in JSONL_SUFFIXES:
            total += 1
            continue
        try:
            with item.open("rb") as f:
                total += sum(1 for line in f if line.strip())
        except OSError:
            total += 1
    return total


def read_raw(path: Path) -> str:
    """The decoded text of a file as-is (for ``quotebot extract``: offsets index this text)."""
    text, _ = decode(path.read_bytes(), str(path))
    return text


__all__ = [
    "count_articles",
    "html_article",
    "read_text",
    "Problem",
    "doc_id_for",
    "read_paths",
    "read_file",
    "read_raw",
    "make_article",
    "fix_text",
]
