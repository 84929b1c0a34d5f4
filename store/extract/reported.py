"""Attributions from the parse: a cue verb, its subject and its clause ("told lawmakers that X")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from store.extract.cues import (
    CUE_NOUNS,
    PREP_CUES,
    SOURCE_NOUNS,
    STATEMENT_NOUNS,
    cue_score,
    lemma_of,
)

MIN_SCORE = 0.25
_SUBJ = ("nsubj", "nsubjpass", "expl")
_INHERIT = ("conj", "advcl", "xcomp", "acl", "relcl", "pcomp", "prep", "pobj", "dobj")
_CONTENT_PREPS = frozenset({"of", "about", "for", "on", "against", "to", "as"})
TELLING_VERBS = frozenset("tell inform assure remind".split())
SPEAKING_VERBS = frozenset("say speak talk write explain add complain tweet post reply".split())
_TRIM = " \t\n.,;:—–-"
_OBJECT_TAIL = frozenset({"prep", "oprd", "xcomp", "ccomp", "dative"})


@dataclass
class Candidate:
    """A cue with its speaker head and content characters (pieces when interrupted)."""

    cue: Span
    subject: Token | None
    pieces: list[tuple[int, int]]
    kind: str = "indirect"
    regions: list[int] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("quotebot_text")
    if text is None:
        text = doc.user_data["quotebot_text"] = doc.text
    return text


def char_range(doc: Doc, first: int, last: int) -> tuple[int, int]:
    """Characters of tokens ``first..last`` with edge punctuation (not quote marks) trimmed."""
    text = text_of(doc)
    start, end = doc[first].idx, doc[last].idx + len(doc[last])
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def nearest_subject(verb: Token, outside: tuple[int, int] = (0, 0)) -> Token | None:
    """The verb's nsubj nearest to it (outside a character range): a parse that gives a verb two
    subjects ("An argument between those who fear … (“…,” Monica Crowley wrote …)") gives
    the speech verb's own subject the place next to it."""
    subjects = [
        c for c in verb.children if c.dep_ == "nsubj" and not outside[0] <= c.idx < outside[1]
    ]
    return min(subjects, key=lambda c: abs(c.i - verb.i), default=None)


def _own_subject(verb: Token) -> Token | None:
    subject = nearest_subject(verb)
    if subject is not None:
        return subject
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
        if child.lower_ == "as" and child.i < verb.i:  # "As Akhil Amar put it, …": a parse slip
            found = next((c for c in child.children if c.dep_ == "pobj"), None)
            if found is not None and found.pos_ in ("PROPN", "NOUN", "PRON"):
                return found
    return None


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, else that of the nearest governing cue ("…, adding that X")."""
    own = _own_subject(verb)
    if own is not None:
        return own
    fallback, chained = None, True
    for _ in range(5):
        if verb.head is verb:
            break
        chained = chained and verb.dep_ in _INHERIT
        verb = verb.head
        subject = _own_subject(verb)
        if subject is not None and cue_score(verb) >= MIN_SCORE:
            return subject
        if chained:
            fallback = fallback or subject
    return fallback


def _cue_span(doc: Doc, verb: Token) -> Span:
    """The cue words: the verb with its auxiliaries, particles and "in a statement" phrases."""
    first = last = verb.i
    for child in verb.children:
        if child.dep_ in ("aux", "auxpass", "neg", "prt") and abs(child.i - verb.i) <= 3:
            first, last = min(first, child.i), max(last, child.i)
    return doc[first : last + 1]


def _addressee(verb: Token, obj: Token) -> bool:
    """ "told a Senate panel", "assured them": the object of a telling verb is the listener."""
    return obj.dep_ == "dobj" and lemma_of(verb.lower_) in TELLING_VERBS


def _content(doc: Doc, verb: Token) -> tuple[int, int] | None:
    """Token range of the verb's reported content, or None if it has none."""
    kids = list(verb.children)
    for child in kids:
        if child.dep_ in ("ccomp", "parataxis") and child.i > verb.i:
            return child.left_edge.i, child.right_edge.i
    for child in kids:
        if child.dep_ == "ccomp":
            return child.left_edge.i, child.right_edge.i
    for child in kids:  # "said in a statement that X"
        if child.dep_ == "prep" and child.lower_ in ("in", "on"):
            for pobj in (c for c in child.children if c.lower_ in STATEMENT_NOUNS):
                for clause in pobj.children:
                    if (
                        clause.dep_ in ("acl", "relcl", "ccomp")
                        and clause.left_edge.lower_ == "that"
                    ):
                        return clause.left_edge.i, clause.right_edge.i
    objects = [c for c in kids if c.dep_ in ("dobj", "oprd", "xcomp") and c.i > verb.i]
    if objects and _addressee(verb, objects[0]):
        return None  # "told a Senate panel": whom, not what
    if objects:  # "sees Mr. Netanyahu as captured by …": the object and what follows it
        last = objects[-1]
        for child in kids:
            if child.i > last.i and child.dep_ in _OBJECT_TAIL:
                last = child
        return objects[0].left_edge.i, last.right_edge.i
    for child in kids:
        if child.dep_ == "prep" and child.lower_ in _CONTENT_PREPS and child.i == verb.i + 1:
            if child.lower_ == "to" and lemma_of(verb.lower_) in SPEAKING_VERBS:
                continue  # "said to a crowd": the listeners
            objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                return objs[0].left_edge.i, objs[0].right_edge.i
    return None


def _clause_around(doc: Doc, token: Token, cue: Span, source: Token) -> Candidate | None:
    """ "According to X, Y" / "In a poll by X, Y": the rest of the clause is the content."""
    clause = token.head
    while clause.dep_ not in ("ROOT", "ccomp", "conj") and clause.head is not clause:
        clause = clause.head
    lo, hi = clause.left_edge.i, clause.right_edge.i
    if token.left_edge.i <= lo:
        lo = token.right_edge.i + 1
    elif token.i > clause.i:
        hi = token.left_edge.i - 1
    if hi <= lo:
        return None
    return Candidate(cue, source, [char_range(doc, lo, hi)])


def _according(doc: Doc, token: Token) -> Candidate | None:
    """ "According to X, Y": X is the source."""
    to = next((c for c in token.children if c.lower_ == PREP_CUES["according"]), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
    if to is None or source is None:
        return None
    return _clause_around(doc, token, doc[token.i : to.i + 1], source)


def _in_source(doc: Doc, token: Token) -> Candidate | None:
    """ "In a CNN poll released Monday, Y" (not "said in a statement", handled by the verb)."""
    source = next((c for c in token.children if c.dep_ == "pobj"), None)
    if source is None or source.lower_ not in SOURCE_NOUNS or cue_score(token.head) >= MIN_SCORE:
        return None
    return _clause_around(doc, token, doc[token.i : token.i + 1], source)


_HEADLINE = re.compile(r"^([A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3}): +(\S[^\n]*?)[.\s]*$", re.M)


def _name_word(token: Token) -> bool:
    """A word of a headline name: a proper noun, or a word NER took into a name that is no
    common noun or verb — "Clinton Cash Debunks Hillary:" is a headline, not a speaker."""
    if token.pos_ == "PROPN":
        return True
    return bool(token.ent_type_) and token.pos_ not in ("NOUN", "VERB", "AUX")


def headline_attributions(doc: Doc) -> list[Candidate]:
    """ "Graham: Trump's rhetoric destroying GOP's chance" — a name, a colon and a claim."""
    found = []
    for m in _HEADLINE.finditer(text_of(doc)):
        name = doc.char_span(m.start(1), m.end(1))
        if name is None or not all(_name_word(t) for t in name):
            continue
        if name.root.ent_type_ not in ("PERSON", "ORG", "GPE", "NORP", ""):
            continue
        colon = doc.char_span(m.end(1), m.end(1) + 1)
        cue = colon if colon is not None else doc[name.end : name.end]
        found.append(Candidate(cue, name[-1], [(m.start(2), m.end(2))]))
    return found


def _noun_claim(doc: Doc, noun: Token) -> Candidate | None:
    """ "Trump's claim that the vote was rigged": the owner of a cue noun and its clause."""
    lower = noun.lower_
    if lower not in CUE_NOUNS and not (lower.endswith("s") and lower[:-1] in CUE_NOUNS):
        return None
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None:
        by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        owner = next((c for c in by.children if c.dep_ == "pobj"), None) if by else None
    clause = next(
        (c for c in noun.children if c.dep_ in ("acl", "ccomp") and c.left_edge.lower_ == "that"),
        None,
    )
    if owner is None or clause is None:
        return None
    piece = char_range(doc, clause.left_edge.i, clause.right_edge.i)
    return Candidate(doc[noun.i : noun.i + 1], owner, [piece])


def _parenthetical(doc: Doc, verb: Token) -> Candidate | None:
    """ "This campaign, he says, is different": the clause around the cue, in two pieces."""
    subject = _own_subject(verb)
    clause = verb.head
    if (
        subject is None
        or clause.pos_ not in ("VERB", "AUX")
        or verb.right_edge.i >= clause.right_edge.i
    ):
        return None
    lo, hi = clause.left_edge.i, clause.right_edge.i
    pieces = []
    if verb.left_edge.i > lo:
        pieces.append(char_range(doc, lo, verb.left_edge.i - 1))
    pieces.append(char_range(doc, verb.right_edge.i + 1, hi))
    pieces = [(s, e) for s, e in pieces if e > s]
    return Candidate(_cue_span(doc, verb), subject, pieces) if pieces else None


def _put_to_subject(verb: Token) -> bool:
    """ "Asked whether X, Putin said …": a subjectless participle clause is what someone put to
    the main clause's subject, not that subject's words."""
    return (
        verb.tag_ == "VBN"
        and verb.dep_ == "advcl"
        and verb.i < verb.head.i
        and not any(c.dep_ in _SUBJ or c.dep_ == "agent" for c in verb.children)
    )


def verb_attributions(doc: Doc) -> list[Candidate]:
    """All cue-verb attributions in a parsed article, in text order."""
    found: list[Candidate] = []
    for token in doc:
        if token.lower_ == "according" and token.dep_ in ("prep", "advmod"):
            cand = _according(doc, token)
        elif token.lower_ == "in" and token.dep_ == "prep":
            cand = _in_source(doc, token)
        elif token.pos_ == "NOUN":
            cand = _noun_claim(doc, token)
        elif token.pos_ in ("VERB", "AUX") and cue_score(token) >= MIN_SCORE:
            rng = None if _put_to_subject(token) else _content(doc, token)
            cand = None
            if rng is not None and rng[1] >= rng[0]:
                pieces = [char_range(doc, *rng)]
                cand = Candidate(_cue_span(doc, token), subject_of(token), pieces)
            elif token.dep_ == "parataxis":
                cand = _parenthetical(doc, token)
        else:
            cand = None
        if cand is not None and cand.end > cand.start:
            found.append(cand)
    return found + headline_attributions(doc)


def statement_phrase(doc: Doc, verb: Token) -> Span | None:
    """ "in a statement" attached to the cue verb, kept as part of the cue."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "on", "via"):
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.lower_ in STATEMENT_NOUNS:
                return doc[min(verb.i, child.i) : max(verb.i, pobj.i) + 1]
    return None
