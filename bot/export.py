"""Answers and quote lists as CSV, JSON or Markdown, each quote with its citation.

Pure functions over ``Answer`` and ``Hit``: the CLI (``--csv/--md``), REST (``?format=``) and
the UI's download buttons all call these. Article text is untrusted, so CSV cells that a
spreadsheet would run as a formula are defused and Markdown shows every character as typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, Literal

from bot.types import Answer
from store.errors import InputError
from store.types import Hit

Format = Literal["csv", "json", "md"]
FORMATS: dict[str, tuple[str, str]] = {  # format → (file suffix, media type)
    "csv": (".csv", "text/csv; charset=utf-8"),
    "json": (".json", "application/json"),
    "md": (".md", "text/markdown; charset=utf-8"),
}
COLUMNS = [
    "n",
    "speaker",
    "speaker_mention",
    "quote",
    "kind",
    "cue",
    "title",
    "publisher",
    "published",
    "doc_id",
    "source_path",
    "start",
    "end",
]
ANSWER_COLUMNS = ["question", "answer", "abstained", *COLUMNS]

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP's list, plus
# the full-width forms some spreadsheets also accept); leading spaces do not stop it.
_FORMULA = tuple("=+-@\t\r") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters Markdown (or the HTML inside it) would act on; CommonMark lets any ASCII
# punctuation be escaped with a backslash, and entities keep < > & literal; an escaped ':', '@'
# or '.' also stops GFM from auto-linking URLs, e-mail addresses and www. names.
_MARKDOWN = frozenset("\\`*_{}[]()#+-.!|~$:@")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def check_format(name: str) -> Format:
    """``csv``, ``json`` or ``md`` (``markdown`` accepted); anything else is an InputError."""
    fmt = {"markdown": "md"}.get(name.strip().lower(), name.strip().lower())
    if fmt not in FORMATS:
        raise InputError(f"Unknown export format {name!r}; use csv, json or md.")
    return fmt  # type: ignore[return-value]


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a ``'``."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA):
        return "'" + value
    return value


def markdown_escape(text: str) -> str:
    """Text that Markdown renders exactly as typed: ``*``, ``[a](b)``, ``<b>``, ``#`` stay literal.

    Line breaks become ``<br>`` so a quote stays inside its list item or table cell.
    """
    escaped = "".join(_ENTITIES.get(c) or ("\\" + c if c in _MARKDOWN else c) for c in text)
    return "<br>".join(escaped.splitlines()) if "\n" in text or "\r" in text else escaped


def _row(n: int, hit: Hit) -> dict[str, Any]:
    return {"n": n, **{k: v for k, v in hit.citation().items() if k in COLUMNS}}


def _csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return buf.getvalue()


def _md_citation(n: int, hit: Hit) -> str:
    """``1. **Speaker**: “quote” — *Title*, Publisher, date (source, chars a–b)``."""
    where = ", ".join(markdown_escape(x) for x in (hit.publisher, hit.published) if x)
    title = f"*{markdown_escape(hit.title)}*" if hit.title else markdown_escape(hit.doc_id)
    return (
        f"{n}. **{markdown_escape(hit.speaker or hit.speaker_mention or 'Unknown')}**: "
        f"“{markdown_escape(hit.quote)}” — {title}{', ' + where if where else ''} "
        f"({markdown_escape(hit.source_path)}, chars {hit.start}–{hit.end})"
    )


def answer_to(fmt: Format, answer: Answer) -> str:
    """One answer with its numbered citations (the numbers of the ``[n]`` markers)."""
    if fmt == "json":
        return json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        head = {"question": answer.question, "answer": answer.answer}
        head["abstained"] = "true" if answer.abstained else "false"
        rows = [{**head, **_row(n, h)} for n, h in enumerate(answer.quotes, 1)] or [head]
        return _csv(rows, ANSWER_COLUMNS)
    lines = [f"## {markdown_escape(answer.question)}", "", markdown_escape(answer.answer), ""]
    if answer.quotes:
        lines += ["Sources:", ""] + [_md_citation(n, h) for n, h in enumerate(answer.quotes, 1)]
    return "\n".join(lines).rstrip("\n") + "\n"


def hits_to(fmt: Format, hits: list[Hit], heading: str = "Quotes") -> str:
    """A quote list, one row (or numbered item) per quote."""
    if fmt == "json":
        data = {"quotes": [h.citation() for h in hits]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv((_row(n, h) for n, h in enumerate(hits, 1)), COLUMNS)
    lines = [f"## {markdown_escape(heading)}", ""]
    lines += [_md_citation(n, h) for n, h in enumerate(hits, 1)] or ["No quotes."]
    return "\n".join(lines) + "\n"


def file_name(stem: str, fmt: Format) -> str:
    """A download name such as ``quotebot-dorothy-shea.csv`` (letters, digits and dashes)."""
    slug = "".join(c if c.isalnum() else "-" for c in stem.lower())
    slug = "-".join(p for p in slug.split("-") if p)[:60] or "quotes"
    return f"quotebot-{slug}{FORMATS[fmt][0]}"
