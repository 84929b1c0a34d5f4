"""Which token speaks: the cue's subject, repaired where the parse picked a word that cannot speak.

A quoted word ("“He thinks …,” Clinton said": never "He"), a dateline ("LONDON (Reuters) - Donald
Trump said"), a parenthesis ("Gov. John Kasich (R-OH)"), a date ("Saturday … Sen. Elizabeth
Warren said") or a function word is replaced by the nearest name outside the quote marks; a
relative pronoun ("Eric Kingson, who praised …") by the noun it belongs to.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from store.extract.marks import Region
from store.extract.reported import text_of

NAMED = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# Entities that are never a speaker's head word: "Saturday said", "75 percent" keep their mention
# (PolNeAR counts poll shares as sources) but never become a name.
NOT_SPEAKING = frozenset({"DATE", "TIME"})
NUMERIC = frozenset({"PERCENT", "CARDINAL", "QUANTITY", "MONEY", "ORDINAL"})
_NOMINAL = frozenset({"PROPN", "NOUN", "PRON"})
_FUNCTION = frozenset(
    {"ADP", "SCONJ", "CCONJ", "PUNCT", "SYM", "PART", "AUX", "VERB", "ADV", "INTJ", "SPACE"}
)
_RELATIVE = frozenset({"who", "which", "that", "whom"})
_OBJECTS = frozenset({"dobj", "dative", "pobj", "attr", "oprd", "iobj"})
_INSIDE = frozenset({"relcl", "acl", "pobj", "prep", "advcl", "ccomp", "parataxis"})
# "WASHINGTON, Aug. 24 (UPI) —", "LONDON (Reuters) -", "JACKSON, Miss. -", "Washington (AFP) –"
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*(?:, [A-Z][\w.]*(?: \d{1,2})?)*(?: \([\w .]+\))?"
    r"|[A-Z][\w.]+(?: [A-Z][\w.]+)* \([A-Z][\w .]+\))\s*[—–-]{1,2}\s+"
)


def quoted(token: Token, regions: list[Region]) -> bool:
    """The token lies inside quote marks."""
    return any(r.start <= token.idx < r.end for r in regions)


def dateline_end(doc: Doc, token: Token) -> int:
    """End offset of the dateline opening the token's paragraph, or -1 if there is none."""
    text = text_of(doc)
    start = text.rfind("\n", 0, token.idx) + 1
    if token.idx - start > 60:
        return -1
    m = _DATELINE.match(text, start)
    return m.end() if m else -1


def _in_dateline(token: Token) -> bool:
    return token.idx < dateline_end(token.doc, token)


def _in_parens(token: Token) -> bool:
    """ "Kasich (R-OH)", "LONDON (Reuters)": a short parenthesis right after a word (not a
    parenthesised sentence, "(She says the photo …)")."""
    text = text_of(token.doc)
    opening = text.rfind("(", max(0, token.idx - 25), token.idx + 1)
    if opening < 1 or ")" in text[opening : token.idx]:
        return False
    closing = text.find(")", token.idx, opening + 30)
    return closing > 0 and text[opening - 1 : opening].isspace() and text[opening - 2].isalnum()


def antecedent(token: Token) -> Token:
    """The noun a relative pronoun stands for ("Eric Kingson, who …" → Kingson), else itself."""
    if token.lower_ in _RELATIVE and token.tag_ in ("WP", "WDT") and token.head.dep_ == "relcl":
        noun = token.head.head
        if noun.pos_ in ("PROPN", "NOUN"):
            return noun
    return token


def _date(token: Token) -> bool:
    """ "Saturday", "last week" (not "the 46-year-old", which NER also calls a date)."""
    return token.ent_type_ in NOT_SPEAKING and not token.lower_.endswith("old")


def can_speak(token: Token, regions: list[Region]) -> bool:
    """A head word that may stand for a speaker: not a function word, a date, a quoted word or
    a dateline. Quantities stay ("Six in 10 say", "most believe"): PolNeAR counts them."""
    if token.pos_ in _FUNCTION or _date(token):
        return False  # "Of Carson, Levine … said": the parse took the preposition
    return not (quoted(token, regions) or _in_dateline(token) or _in_parens(token))


def _nominal_head(token: Token, run: range) -> Token:
    """ "Robert" → "Shrum" in "Robert Shrum": climb compounds and flat names inside ``run``."""
    while token.dep_ in ("compound", "flat") and token.head.i in run:
        token = token.head
    return token


def _embedded(token: Token, cue: Token) -> bool:
    """The name sits in a clause or phrase of its own ("Levine, who gave money to Rubio, said")."""
    while token.head.i not in (token.i, cue.i):
        if token.dep_ in _INSIDE:
            return True
        token = token.head
    return False


def _outside(doc: Doc, cue: Token, subject: Token | None, regions: list[Region]) -> Token | None:
    """The nearest name between the quote and the cue, else the first noun after the cue."""
    sent = cue.sent
    first = cue.i
    while first > sent.start and not quoted(doc[first - 1], regions):
        first -= 1
    after = range(cue.i + 1, min(sent.end, cue.i + 7))
    for run in (range(first, cue.i), after):
        tokens = [doc[i] for i in run if can_speak(doc[i], regions)]
        names = [t for t in tokens if t.ent_type_ in ("PERSON", "ORG") and t.pos_ == "PROPN"]
        if run.stop == cue.i:
            free = [t for t in names if not _embedded(t, cue)]
            names = free[-1:] or names[-1:]
        if names:
            return _nominal_head(names[0], run)
        if run.start > cue.i:  # "said Mr. Trump", not "put it" or "told reporters"
            tokens = [t for t in tokens if t.dep_ not in _OBJECTS]
        nouns = [t for t in tokens if t.pos_ in _NOMINAL]
        if nouns and subject is not None:
            return _nominal_head(nouns[0], run)
    return None


def speaking_subject(
    doc: Doc, cue: Token, subject: Token | None, regions: list[Region]
) -> Token | None:
    """The token that speaks for ``cue``: its subject when that can speak, else a repair."""
    if subject is not None and can_speak(subject, regions):
        return subject
    return _outside(doc, cue, subject, regions)
