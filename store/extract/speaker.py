"""Speaker mentions inside one article: name, role, and pronoun / surname resolution."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from store.extract.subject import dateline_end
from store.speakers import PRONOUNS, canonical_key, fold, is_title, strip_titles

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


def name_part(span: Span) -> Span:
    """The name without a headline's verb NER took along ("Obama Calls", "Trump Stands Tall")."""
    for token in span[1:]:
        if token.tag_.startswith("VB") or token.tag_ == "MD" or token.is_space:
            return span[: token.i - span.start]
    return span


def _name_span(doc: Doc, head: Token) -> Span | None:
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
    name = _name_span(doc, head)
    if appos:
        other = _name_span(doc, appos[0])
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


@dataclass
class _Antecedent:
    pos: int
    name: str
    label: str
    gender: str | None
    subject: bool


def _is_subject(token: Token) -> bool:
    while token.dep_ in ("compound", "appos", "conj", "flat") and token.head is not token:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


def _titled(ent: Span) -> bool:
    """A multi-word name NER took for a place or body, next to a person's title or role
    ("Russia's UN ambassador, Vassily Nebenzia"; "Vassily Nebenzia, the ambassador")."""
    if ent.label_ == "PERSON" or len(ent) < 2 or not all(t.pos_ == "PROPN" for t in ent):
        return False
    root = ent.root
    near = [root.head] if root.dep_ == "appos" else []
    near += [c for c in root.children if c.dep_ == "appos"]
    if ent.start > 0:
        near.append(ent.doc[ent.start - 1])
    return any(is_title(t) and t.i not in range(ent.start, ent.end) for t in near)


class ArticleSpeakers:
    """One canonical name per person in an article; resolves pronouns and bare surnames."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.full: dict[str, str] = {}
        self.gender: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # canonical name → NER label, for the speaker's kind
        self.history: list[_Antecedent] = []
        for ent in doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            label = "PERSON" if _titled(ent) else ent.label_
            name = strip_titles(name_part(ent).text)
            if not name:
                continue
            if label == "PERSON" and len(name.split()) > 1:
                for key in (canonical_key(name).split()[-1], canonical_key(name).split()[0]):
                    self.full.setdefault(key, name)
            previous = doc[ent.start - 1].text if ent.start > 0 else ""
            self.add(ent.start_char, name, label, gender_of(previous), _is_subject(ent.root))
            if label == "PERSON":
                self._learn_role(ent)
                self._add_group(ent, name)

    def _add_group(self, ent: Span, name: str) -> None:
        """ "Putin and Kim Jong Un": one plural antecedent for a later "they"."""
        others = [c for c in ent.root.children if c.dep_ == "conj" and c.ent_type_ == "PERSON"]
        other = _name_span(self.doc, others[0]) if others else None
        if other is not None:
            group = f"{self.canonical(name)} and {self.canonical(other.text)}"
            self.history.append(_Antecedent(ent.start_char, group, "GROUP", None, True))

    def _learn_role(self, ent: Span) -> None:
        """Remember "deputy US ambassador" from any mention of the person, cue or not."""
        head = ent.root.head if ent.root.dep_ == "appos" else ent.root
        described = describe(self.doc, head)
        if described.name and described.role:
            name = self.canonical(described.name)
            if canonical_key(name) == canonical_key(self.canonical(ent.text)):
                self.roles.setdefault(name, described.role)

    def canonical(self, name: str) -> str:
        """The fullest form of ``name`` in this article ("Ms Shea" → "Dorothy Camille Shea")."""
        name = strip_titles(name)
        key = canonical_key(name)
        if key and " " not in key and key in self.full:
            return self.full[key]
        return name

    def add(self, pos: int, name: str, label: str, gender: str | None, subject: bool) -> None:
        """Remember a possible antecedent for later pronouns."""
        name = self.canonical(name)
        self.labels.setdefault(name, label)
        if gender and label == "PERSON":
            self.gender.setdefault(name, gender)
        self.history.append(_Antecedent(pos, name, label, gender, subject))

    def _fits(self, pronoun: str, cand: _Antecedent) -> bool:
        if pronoun in PLURAL:
            return cand.label in ("ORG", "GPE", "NORP", "GROUP")
        if pronoun == "it":
            return cand.label in ("ORG", "GPE")
        if cand.label != "PERSON":
            return False
        gender = self.gender.get(cand.name)
        return not gender or (gender == "f") == (pronoun in FEMALE)

    def pronoun(self, token: Token) -> str | None:
        """Antecedent of a pronoun: the latest fitting subject, else the latest fitting name."""
        pronoun = token.lower_
        window = token.sent.start_char - 600
        if pronoun in PLURAL:  # "Putin and Kim Jong Un … They said": people before organisations
            groups = [c for c in self.history if c.label == "GROUP" and window <= c.pos < token.idx]
            if groups:
                return groups[-1].name
        fallback = None
        for cand in reversed(self.history):
            if cand.pos >= token.idx or not self._fits(pronoun, cand):
                continue
            if cand.subject and cand.pos >= window:
                return cand.name
            if cand.pos >= window - 900:
                fallback = fallback or cand.name
        return fallback

    def resolve(self, head: Token, mention: Mention) -> tuple[str | None, str | None]:
        """Canonical speaker and role for a cue subject; records it for later pronouns."""
        if is_pronoun(head):
            name = self.pronoun(head)
            if name and head.lower_ in FEMALE | MALE and name not in self.gender:
                self.gender[name] = "f" if head.lower_ in FEMALE else "m"
        elif mention.name:
            name = self.canonical(mention.name)
            label = head.ent_type_ if head.ent_type_ in NAME_LABELS else "PERSON"
            if head.ent_type_ or head.pos_ == "PROPN":
                self.add(head.idx, name, label, gender_of(mention.span.text), True)
        else:
            name = None
        if name and mention.role:
            self.roles.setdefault(name, mention.role)
        return name, self.roles.get(name) if name else None
