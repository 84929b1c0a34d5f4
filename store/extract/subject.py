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
    """The nearest name between the quote and the cue, else the first name or noun after it."""
    sent = cue.sent
    first = cue.i
    while first > sent.start and not quoted(doc[first - 1], regions):
        first -= 1
    before = [doc[i] for i in range(first, cue.i) if can_speak(doc[i], regions)]
    for names in (
        [t for t in before if t.ent_type_ in ("PERSON", "ORG") and t.pos_ == "PROPN"],
        [t for t in before if t.pos_ == "PROPN" and not t.ent_type_],  # NER missed "Sanders"
    ):
        free = [t for t in names if not _embedded(t, cue)]
        if free or names:
            return _nominal_head((free or names)[-1], range(first, cue.i))
    nouns = [t for t in before if t.pos_ in _NOMINAL and (subject is not None or t.head.i == cue.i)]
    if nouns:  # "“…,” the former official said", "“…,” Conway notes" (parsed as a compound)
        return _nominal_head(nouns[0], range(first, cue.i))
    run = range(cue.i + 1, min(sent.end, cue.i + 7))
    after = [doc[i] for i in run if can_speak(doc[i], regions) and doc[i].dep_ not in _OBJECTS]
    picks = [[t for t in after if t.ent_type_ in ("PERSON", "ORG") and t.pos_ == "PROPN"]]
    # "“…,” added a South Carolina Democrat": the cue right after the quote, its subject after it
    if subject is not None or all(doc[i].is_punct for i in range(first, cue.i)):
        picks.append([t for t in after if t.pos_ == "PROPN"])  # "said … Democrat Elijah Cummings"
        picks.append([t for t in after if t.pos_ in _NOMINAL])  # not "put it", "told reporters"
    for pick in picks:
        if pick:
            return _nominal_head(pick[0], run)
    return None


def speaking_subject(
    doc: Doc, cue: Token, subject: Token | None, regions: list[Region]
) -> Token | None:
    """The token that speaks for ``cue``: its subject when that can speak, else a repair."""
    if subject is not None and can_speak(subject, regions):
        return subject
    return _outside(doc, cue, subject, regions)
