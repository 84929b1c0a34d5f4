"""A person's likely gender from their given name, for pronoun resolution when the article has no
title ("Mr.", "Ms") for them: the US Census 1990 first-name lists shipped by the ``names``
package (MIT). Only clear cases count: a name at least four times as frequent for one sex."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from store.speakers import fold

CLEAR = 4.0  # how many times likelier one sex must be


def _frequencies(file: str) -> dict[str, float]:
    text = files("names").joinpath(file).read_text(encoding="ascii")
    rows = (line.split() for line in text.splitlines())
    return {row[0].lower(): float(row[1]) for row in rows if len(row) >= 2}


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    male, female = _frequencies("dist.male.first"), _frequencies("dist.female.first")
    table = {}
    for name in male.keys() | female.keys():
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        if m >= CLEAR * f:
            table[name] = "m"
        elif f >= CLEAR * m:
            table[name] = "f"
    return table


@lru_cache(maxsize=1)
def _given() -> frozenset[str]:
    return frozenset(_frequencies("dist.male.first")) | frozenset(_frequencies("dist.female.first"))


def is_given_name(word: str) -> bool:
    """Whether a word is a first name in the census lists ("hillary", "bill"; not "rival")."""
    return fold(word).strip(".,") in _given()


def given_gender(name: str) -> str | None:
    """'f', 'm' or None for a full name ("Jake Sullivan" → 'm'); one-word names give None."""
    parts = name.split()
    if len(parts) < 2:
        return None
    return _table().get(fold(parts[0]).strip(".,"))
