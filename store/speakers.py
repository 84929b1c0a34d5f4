"""Speaker names: strip titles and roles, one canonical name per person, aliases across articles."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# Words that introduce a name but are not part of it ("Russian President Vladimir Putin").
TITLE_WORDS = frozenset(
    """mr mrs ms miss mx dr prof sir dame lord lady rev fr sen senator rep representative gov
    president vice prime minister secretary chancellor ambassador envoy spokesman spokeswoman
    governor spokesperson chief leader director general gen col lt capt sgt adm judge justice
    mayor king queen prince princess pope sheikh chairman chairwoman chair ceo founder
    candidate nominee speaker deputy foreign defense defence interior finance state official
    officials minister's attorney former then acting first lady congressman congresswoman
    commissioner commander head professor lawyer analyst st saint
    """.split()
)
# Head words of organisation names, whose titles are part of the name ("State Department").
ORG_HEADS = frozenset(
    """department ministry office committee agency council party court bureau service
    commission administration authority board house senate assembly embassy
    """.split()
)
PRONOUNS = frozenset("he she they it we i you him her them us me his hers its their our".split())
_TOKEN = re.compile(r"[\w.'’-]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip diacritics and curly apostrophes."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _is_title(token: str) -> bool:
    return fold(token).strip(".") in TITLE_WORDS


def is_title(token: object) -> bool:
    """A spaCy token (or string) that is a title or role word ("President", "Ms")."""
    return _is_title(str(token))


@lru_cache(maxsize=65536)
def strip_titles(name: str) -> str:
    """The name part of a mention: the last run of capitalised non-title words."""
    name = re.sub(r"(?:'s|’s|')$", "", name.strip())
    if " and " in name:  # a group ("Vladimir Putin and Kim Jong Un"): titles go from each part
        parts = [strip_titles(part) for part in name.split(" and ")]
        if all(part[:1].isupper() for part in parts):
            return " and ".join(parts)
    tokens = _TOKEN.findall(name)
    if len(tokens) > 1 and fold(tokens[-1]) in ORG_HEADS and tokens[-2][:1].isupper():
        words = name.split()  # an organisation: "the State Department" → "State Department"
        return " ".join(words[1:] if fold(words[0]) == "the" else words)
    if tokens and (_is_title(tokens[-1]) or tokens[-1][:1].islower()):
        words = name.split()  # a description, not a name: "a US official" → "US official"
        return " ".join(
            words[1:] if len(words) > 1 and fold(words[0]) in ("a", "an", "the") else words
        )
    kept: list[str] = []
    for token in reversed(tokens):
        if _is_title(token) or not (token[:1].isupper() or token[:1].isdigit()):
            if kept:
                break
            continue
        kept.append(token)
    if not kept:
        return name
    kept.reverse()
    if fold(kept[0]) == "the" and len(kept) > 1:
        kept = kept[1:]
    return " ".join(kept)


def canonical_key(name: str) -> str:
    """Normalised key of a name without titles, case or diacritics ("Mr. Putin" → "putin")."""
    return fold(strip_titles(name)).strip(" .,")


def _short_key_target(key: str, full: dict[str, Counter[str]]) -> str | None:
    """The fuller key a one-word key stands for (surname first, then given/family-first names)."""
    for position in (-1, 0):
        hits = [k for k in full if " " in k and k.split()[position] == key]
        if hits:
            return max(hits, key=lambda k: (sum(full[k].values()), len(k)))
    return None


def build_alias_table(names: Iterable[str]) -> dict[str, str]:
    """Map every surface name to one canonical display name across articles."""
    surfaces = [n for n in names if n and fold(n) not in PRONOUNS]
    by_key: dict[str, Counter[str]] = {}
    for surface in surfaces:
        key = canonical_key(surface)
        if key:
            by_key.setdefault(key, Counter())[strip_titles(surface)] += 1
    target = {key: key for key in by_key}
    for key in by_key:
        if " " not in key:
            target[key] = _short_key_target(key, by_key) or key
    table: dict[str, str] = {}
    for surface in surfaces:
        key = canonical_key(surface)
        if key:
            displays = by_key[target[key]]
            table[surface] = max(displays, key=lambda d: (displays[d], len(d)))
    return table


def match_speaker(query: str, table: dict[str, str]) -> list[str]:
    """Canonical names a user's name refers to ("Nebenzia" → ["Vassily Nebenzia"]); [] if none."""
    capitalised = " ".join(w[:1].upper() + w[1:] for w in query.split())  # users type lower case
    words = set(canonical_key(capitalised).split())
    if not words:
        return []
    counts: Counter[str] = Counter()
    for surface, canonical in table.items():
        for candidate in (canonical, surface):
            if words <= set(canonical_key(candidate).split()):
                counts[canonical] += 1
                break
    return [name for name, _ in counts.most_common()]


def one_name(name: str) -> bool:
    """Not a list of people ("Putin and Kim Jong Un") and not a long description."""
    return not re.search(r"\band\b|,|&", name) and len(name.split()) <= 4


_PARTICLES = frozenset(  # lower-case words inside names (and the s of an apostrophe)
    "of the and for de del della di da du des van von der den ter bin ibn al el la le dos s".split()
)


def described(name: str) -> bool:
    """A description rather than a name: a word in lower case ("party officials", "Clinton
    campaign"); name particles do not count ("Ludwig van Beethoven", "Bashar al-Assad")."""
    return any(w[0].islower() and w not in _PARTICLES for w in re.findall(r"[^\W\d_]+", name))


def fullest_names(names: Iterable[str]) -> dict[str, str]:
    """Within one article, a shorter name → the shortest fuller one holding all its words
    ("Shea" → "Dorothy Camille Shea", "Son Hui" → "Choe Son Hui"); a name never becomes a
    description ("Sanders" is not "Sanders camp"), a description may ("company" → "social media
    company")."""
    distinct = set(names)
    keys = {n: set(canonical_key(n).split()) for n in distinct}
    out: dict[str, str] = {}
    for name in distinct:
        fuller = [
            o
            for o in distinct
            if keys[name]
            and keys[name] < keys[o]
            and one_name(o)
            and (described(name) or not described(o))
        ]
        out[name] = min(fuller, key=lambda o: (len(o), o)) if fuller else name
    return out


@lru_cache(maxsize=1)
def _nicknames() -> Any:
    from nicknames import NickNamer  # the nicknames package: "Bill" ↔ "William", "Mike" ↔ …

    return NickNamer()


def given_names_agree(typed: str, stored: str) -> bool:
    """Whether two given names can be one person's: equal, one a prefix of the other ("Mo" /
    "Morris", "Chris" / "Christopher") or a known nickname of it ("Bill" / "William")."""
    a, b = fold(typed).strip("."), fold(stored).strip(".")
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    nick = _nicknames()
    return b in nick.nicknames_of(a) | nick.canonicals_of(a) or a in nick.nicknames_of(b)


def surname_matches(words: list[str], keys: Iterable[str]) -> set[str]:
    """Speaker keys a typed name means when no key holds all its words: same surname and a given
    name that agrees ("Bill Ackman" → "william a ackman", "Jack Lew" → "jacob j lew" when that is
    the only Lew), or the bare surname ("Will Estrada" → "estrada") when no other full name with
    that surname disagrees. Words before the given name (a role: "Representative Mo Brooks")
    are ignored."""
    if len(words) < 2:
        return set()
    given, surname = words[-2], words[-1]
    same = [k for k in keys if k.split()[-1] == surname]
    full = [k for k in same if len(k.split()) > 1]
    agree = {k for k in full if given_names_agree(given, k.split()[0])}
    if not agree and len(full) == 1 and full[0][:1] == given[:1]:
        agree = set(full)  # one person of that name, same initial ("Jack" / "Jacob" Lew)
    bare = {k for k in same if len(k.split()) == 1}
    if bare and all(k in agree for k in full):
        agree |= bare
    return agree
