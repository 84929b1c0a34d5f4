"""Ingest over HTTP: articles sent by value or as uploaded files, never a server-side path.

Uploaded articles get a ``source_path`` of ``upload:<name>``, so re-sending a changed article
under the same name replaces the old one, as re-ingesting a changed file does. URLs (when the
admin enabled them) are fetched by ``Bot.read(urls_only=True)``: never read as server paths.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from bot.core import Bot
from store.read import SUFFIXES, Problem, make_article, read_file
from store.types import Article


def ingest_uploaded(
    bot: Bot, records: list[dict[str, str]], urls: list[str] | None = None
) -> dict[str, Any]:
    """Index JSON articles (``text`` plus optional title/url/publisher/published) and the
    pages or feeds of ``urls``; feed entries already stored count as skipped."""
    skipped: list[str] = []
    fetched: Iterator[Article | Problem] = bot.read(urls or [], urls_only=True, skipped=skipped)
    report = bot.ingest_items(chain(_records(records), fetched))
    report.skipped += len(skipped)
    return report.to_dict()


def _records(records: list[dict[str, str]]) -> list[Article | Problem]:
    items: list[Article | Problem] = []
    for n, record in enumerate(records):
        name = record.get("url") or record.get("title") or f"article {n}"
        where = f"upload:{name}"
        try:
            items.append(make_article(record["text"], where, record))
        except ValueError as e:
            items.append(Problem(f"articles[{n}]", str(e)))
    return items


def ingest_files(bot: Bot, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Index uploaded files (.txt, .md, .html, .jsonl) by their content and base name."""
    items: list[Article | Problem] = []
    with tempfile.TemporaryDirectory(prefix="quotebot-upload-") as tmp:
        for n, (filename, data) in enumerate(files):
            name = Path(filename or f"file{n}.txt").name  # a base name only: no directories
            suffix = Path(name).suffix.lower()
            if suffix not in SUFFIXES:
                allowed = ", ".join(sorted(SUFFIXES))
                items.append(
                    Problem(name, f"the file type {suffix or '(none)'} is not one of {allowed}")
                )
                continue
            path = Path(tmp) / f"{n}{suffix}"
            path.write_bytes(data)
            for item in read_file(path):
                for tmp_name in (str(path.resolve()), str(path)):
                    _rename(item, tmp_name, f"upload:{name}")
                items.append(item)
        return bot.ingest_items(items).to_dict()


def _rename(item: Article | Problem, tmp_name: str, name: str) -> None:
    """Replace the temporary file's path with the uploaded name in records and messages."""
    if isinstance(item, Article):
        item.source_path = item.source_path.replace(tmp_name, name)
    else:
        item.path = item.path.replace(tmp_name, name)
        item.error = item.error.replace(tmp_name, name)
