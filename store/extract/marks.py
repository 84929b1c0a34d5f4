"""Quote marks: normalise straight, curly and mojibake marks, then pair them into quoted regions.

Never fails on a whole article: an unclosed mark closes at the end of its paragraph unless the
next paragraph reopens the quote (a multi-paragraph quote), and a stray closing mark is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Mojibake of “ ” read as cp1252 / cp1257 / latin-1, longest first; all become straight quotes.
_MOJIBAKE = re.compile("â€œ|â€\x9d|â€\u009d|â€ť|â€ś|â€|ā(?![a-z]{2})|(?<![A-Za-z])ā")
# No-break and thin spaces, which the parser takes for a word of their own ("the\xa0Daily News").
_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f", " "))
_OPEN = "“„«"
_CLOSE = "”»"
_MARK = re.compile(r"''|``|[\"“”„«»]")
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s+[\w-]+=\"[^\"<>\n]*\")*\s*/?>")


@dataclass
class Region:
    """A quoted region: ``pieces`` are the quoted words per paragraph, marks excluded."""

    start: int
    end: int
    pieces: list[tuple[int, int]] = field(default_factory=list)
    closed: bool = True

    @property
    def inner(self) -> tuple[int, int]:
        return self.pieces[0][0], self.pieces[-1][1]


def normalise(text: str) -> str:
    """Same-length copy of ``text`` with mojibake quote marks turned into straight quotes and
    no-break spaces into plain ones."""
    return _MOJIBAKE.sub(lambda m: '"' + " " * (len(m.group()) - 1), text).translate(_SPACES)


def _direction(text: str, start: int, end: int, mark: str) -> str:
    """'open', 'close' or '?' for one mark, from its shape and the characters around it."""
    if mark in _OPEN or mark == "``":
        return "open"
    if mark in _CLOSE:
        return "close"
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() or before in "([{—–-/":
        return "open" if not after.isspace() else "?"
    if after.isspace() or after in ".,;:!?)]—–-'’":
        return "close"
    return "?"


def find_marks(text: str) -> list[tuple[int, int, str]]:
    """All double-quote marks in normalised ``text`` as (start, end, direction)."""
    marks = []
    tags = [(t.start(), t.end()) for t in _TAG.finditer(text)] if "<" in text else []
    for m in _MARK.finditer(text):
        if tags and any(s < m.start() < e for s, e in tags):
            continue  # attribute quotes of leftover markup: <tweet author="x">
        if m.group() == "''" and m.start() > 0 and text[m.start() - 1].isalpha():
            continue  # possessive plural followed by an apostrophe-like mark is rare; skip
        marks.append((m.start(), m.end(), _direction(text, m.start(), m.end(), m.group())))
    return marks


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def pair_marks(text: str) -> list[Region]:
    """Pair marks into regions; multi-paragraph quotes keep one piece per paragraph."""
    regions: list[Region] = []
    current: Region | None = None
    for start, end, direction in find_marks(text):
        if current is not None and "\n" in text[current.pieces[-1][0] : start]:
            par_end = _paragraph_end(text, current.pieces[-1][0])
            reopens = direction != "close" and not text[par_end:start].strip()
            current.pieces[-1] = _trim(text, current.pieces[-1][0], par_end)
            if reopens:  # next paragraph opens again: the quote goes on
                current.pieces.append((end, end))
                continue
            current.end, current.closed = par_end, False
            regions.append(current)
            current = None
        if current is None:
            if direction != "close":
                current = Region(start, end, [(end, end)])
            continue
        if direction == "open" and start > current.pieces[-1][0] + 1:
            current.end, current.closed = start, False  # two openers: the first never closed
            regions.append(current)
            current = Region(start, end, [(end, end)])
            continue
        current.pieces[-1] = _trim(text, current.pieces[-1][0], start)
        current.end = end
        regions.append(current)
        current = None
    if current is not None:
        par_end = _paragraph_end(text, current.pieces[-1][0])
        current.pieces[-1] = _trim(text, current.pieces[-1][0], par_end)
        current.end, current.closed = par_end, False
        regions.append(current)
    return [r for r in regions if r.pieces[0][1] > r.pieces[0][0]]
