"""Front matter of .md/.txt articles: ``title``, ``url``, ``publisher``, ``published``.

A block of ``key: value`` lines between two ``---`` lines (YAML, as Jekyll and Hugo write it)
or ``key = "value"`` lines between two ``+++`` lines (TOML) at the very top of the file.
``date`` is read as ``published``; other keys (tags, author…) are ignored. A block that is not
made of such lines (a Markdown rule above a paragraph) is article text, not front matter.
"""

from __future__ import annotations

import re

FIELDS = {"title": "title", "url": "url", "publisher": "publisher", "published": "published"}
ALIASES = {"date": "published"}
_CLOSE = {"---": ("---", "..."), "+++": ("+++",)}
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*?)\s*$")
MAX_LINES = 60


def _value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw.split(" #", 1)[0].strip()  # a trailing YAML comment


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """The metadata a front matter block gives, and the text after it (``{}`` and the text
    itself when there is none)."""
    lines = text.split("\n")
    fence = lines[0].strip().lstrip("\ufeff") if lines else ""
    if fence not in _CLOSE:
        return {}, text
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1 : MAX_LINES + 1], start=1):
        stripped = line.strip()
        if stripped in _CLOSE[fence]:
            return meta, "\n".join(lines[i + 1 :])
        if not stripped or stripped.startswith("#") or line[:1].isspace() or stripped[0] == "-":
            continue  # blank, comments, nested values and list items
        m = _KEY.match(stripped)
        if m is None:
            return {}, text  # prose: this was a rule above a paragraph, not front matter
        key = m.group(1).lower()
        field = FIELDS.get(key) or ALIASES.get(key)
        value = _value(m.group(2))
        if field and value and not (field in meta and key in ALIASES):
            meta[field] = value
    return {}, text  # never closed
