"""The words of a speaker mention: its span, the name in it and the role around it.

"deputy US ambassador Dorothy Camille Shea" → name "Dorothy Camille Shea", role "deputy US
ambassador"; "Hugh Hill, a doctor," → role "doctor"; a description ("the ministry") is its own
name but not a proper one (``named`` is false).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from store.extract.subject import dateline_end
from store.speakers import PRONOUNS, fold, is_title, strip_titles

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
FEMALE = frozenset({"she", "her", "hers", "herself"})
MALE = frozenset({"he", "him", "his", "himself"})
PLURAL = frozenset({"they", "them", "their", "we", "us", "our"})
_FEMALE_TITLES = frozenset({"ms", "mrs", "miss", "madam", "dame", "lady", "queen", "congresswoman"})
_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "congressman", "prince"})
HONORIFICS = frozenset({"mr", "ms", "mrs", "miss", "dr", "sir", "dame", "the", "a", "an"})
_MOD_DEPS = frozenset({"compound", "amod", "det", "poss", "nmod", "case", "nummod", "punct", "cc"})


@dataclass
class Mention:
    """Who a cue's subject is: the words in the article, the resolved name and the role."""

    span: Span
    name: str | None
    role: str | None
    named: bool = False  # the name comes from a proper name, not a description ("the ministry")


def _left_edge(head: Token) -> int:
    """First token of the head's pre-modifiers (titles, roles, compounds), not clauses."""
    start = head.i
    for child in head.lefts:
        if child.dep_ in _MOD_DEPS or child.ent_type_:
            start = min(start, child.left_edge.i)
    return start


def is_pronoun(token: Token) -> bool:
    """A pronoun subject ("US" the country is not "us")."""
    return token.lower_ in PRONOUNS and not (token.text.isupper() and len(token) > 1)


DASHES = frozenset({"-", "–", "—", "--"})  # a spaced dash ends a name


def name_part(span: Span) -> Span:
    """The name without a headline's verb NER took along ("Obama Calls", "Trump Stands Tall") or
    what follows a spaced dash."""
    for token in span[1:]:
        if token.tag_.startswith("VB") or token.tag_ == "MD" or token.is_space:
            return span[: token.i - span.start]
        if token.text in DASHES and token.doc[token.i - 1].whitespace_:
            return span[: token.i - span.start]  # "the Tax Policy Center - half a percentage …"
    return span


def name_span(doc: Doc, head: Token) -> Span | None:
    if head.ent_type_ in NAME_LABELS:
        start, end = head.i, head.i + 1  # the entity holding the head, from its IOB tags
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        # "Foreign Minister Choe Son Hui": NER may drop "Choe"
        while start > 0 and doc[start - 1].pos_ == "PROPN" and not is_title(doc[start - 1]):
            start -= 1
        name = name_part(doc[start:end])
        return name if name.end > head.i else doc[head.i : head.i + 1]
    if head.pos_ == "PROPN":
        start = head.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound":
            if is_title(doc[start - 1]):
                break
            start -= 1
        return doc[start : head.i + 1]
    return None


def _clean_role(text: str) -> str | None:
    words = text.strip(" ,").split()
    while words and fold(words[0]) in {"a", "an", "the"}:
        words = words[1:]
    role = " ".join(words).strip(" ,")
    return role or None


def gender_of(mention_text: str) -> str | None:
    """'f', 'm' or None from a title or a pronoun."""
    first = fold(mention_text.split()[0]).strip(".") if mention_text.split() else ""
    if first in _FEMALE_TITLES or first in FEMALE:
        return "f"
    if first in _MALE_TITLES or first in MALE:
        return "m"
    return None


def describe(doc: Doc, head: Token) -> Mention:
    """Mention, name and role of the subject ``head`` (appositives give a role or a name)."""
    start = _left_edge(head)
    while start < head.i and doc[start].idx < dateline_end(doc, head):
        start += 1  # "JACKSON, Miss. - U.S. District Judge Carlton W. Reeves"
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1  # "” Ramos": a closing mark the parse hung on the name
    span = doc[start : head.i + 1]
    if is_pronoun(head):
        return Mention(span, None, None)
    appos = [c for c in head.rights if c.dep_ == "appos"]
    name = name_span(doc, head)
    if appos:
        other = name_span(doc, appos[0])
        if name is None and other is not None:  # "South Korea's UN ambassador, Joonkook Hwang"
            role = _clean_role(doc[start : head.i + 1].text)
            return Mention(doc[start : appos[0].i + 1], strip_titles(other.text), role, True)
        if name is not None:  # "Hugh Hill, a doctor, said"
            role = _clean_role(doc[appos[0].left_edge.i : appos[0].right_edge.i + 1].text)
            return Mention(span, strip_titles(name.text), role, True)
    if name is None:
        return Mention(span, _clean_role(span.text), None)
    role_text = doc[start : name.start].text if name.start > start else ""
    role_words = [w for w in role_text.split() if fold(w).strip(".") not in HONORIFICS]
    return Mention(span, strip_titles(name.text), _clean_role(" ".join(role_words)), True)
