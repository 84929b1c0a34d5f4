"""Speakers inside one article: one canonical name per person, pronoun and surname resolution."""

from __future__ import annotations

import re
from bisect import insort
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from store.extract.given import given_gender, is_given_name
from store.extract.mention import (
    FEMALE,
    MALE,
    NAME_LABELS,
    PLURAL,
    Mention,
    describe,
    gender_of,
    is_pronoun,
    name_part,
    name_span,
)
from store.extract.subject import NUMERIC
from store.speakers import canonical_key, fold, is_title, strip_titles

# Abbreviated titles, so "the governor" finds "Gov. Jeb Bush"
_SPELLED = {
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "gen": "general",
    "lt": "lieutenant",
    "sec": "secretary",
    "atty": "attorney",
    "pres": "president",
    "prof": "professor",
    "amb": "ambassador",
    "dr": "doctor",
}


def role_words(text: str) -> frozenset[str]:
    """Lower-cased words of a role with titles spelled out ("Former Florida Gov." → governor)."""
    words = (fold(w).strip(".,'’()") for w in text.split())
    return frozenset(_SPELLED.get(w, w) for w in words if w)


@dataclass
class _Antecedent:
    pos: int
    name: str
    label: str
    gender: str | None
    subject: bool


def _within_marks(text: str, pos: int) -> bool:
    """Inside quotation marks opened earlier in the same paragraph."""
    before = text[text.rfind("\n", 0, pos) + 1 : pos]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _at(antecedent: _Antecedent) -> int:
    return antecedent.pos


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


_OUTLET = re.compile(
    r"\b(Times|Post|News|Journal|Tribune|Herald|Gazette|Daily|Globe|Sun|Telegraph|Guardian|"
    r"Observer|Chronicle|Examiner|Register|Star|Inquirer|Magazine|Review|Politico|Breitbart)\b"
)
_NETWORK = re.compile(r"\b(CNN|NBC|ABC|CBS|Fox|MSNBC|PBS|NPR|BBC|Network|News|TV|Radio)\b")
# Names of public bodies, schools, parties, think tanks and programmes: never what "the company"
# stands for.
_COMPANY = re.compile(
    r"^(?!.*\b(University|College|School|Institution|Department|Agency|Committee|Senate|House|"
    r"Congress|Court|Party|Police|Army|Ministry|Council|Commission|Bureau|Center|Centre|"
    r"Institute|Foundation|Program|Programme|Project|Initiative|Coalition|Campaign)\b)"
)
_AGENCY = re.compile(
    r"\b(Agency|Bureau|Department|Administration|Service|Commission|Office|FBI|CIA|EPA|NSA|"
    r"IRS|FDA|CDC|FEMA|DHS|NASA|Pentagon)\b"
)
_UNION = re.compile(r"\b(Union|Federation|Association|Teamsters|AFL-CIO|Workers|Guild)\b")
_GROUP = re.compile(
    r"\b(Group|Foundation|Center|Centre|Institute|Association|Coalition|Alliance|Council|"
    r"Committee|Project|Watch|Fund|PAC|Action|Club|Society|League|Trust|Union|Federation|"
    r"Network|Campaign|Movement|Organization|Organisation|International)\b"
)
# "the Tax Policy Center … the center estimated": a body whose name says what it is.
_CENTER = re.compile(r"\b(Center|Centre)\b")
_INSTITUTE = re.compile(r"\bInstitute\b")
_FOUNDATION = re.compile(r"\bFoundation\b")
# Definite descriptions that stand for an organisation named before them, and what it looks like.
_REFERRING = {
    "paper": _OUTLET,
    "newspaper": _OUTLET,
    "magazine": _OUTLET,
    "network": _NETWORK,
    "broadcaster": _NETWORK,
    "company": _COMPANY,
    "firm": _COMPANY,
    "group": _GROUP,
    "organization": _GROUP,
    "organisation": _GROUP,
    "agency": _AGENCY,
    "union": _UNION,
    "center": _CENTER,
    "centre": _CENTER,
    "institute": _INSTITUTE,
    "foundation": _FOUNDATION,
}
# "the Islamic State group", "the Teamsters union": a proper noun before these names the body.
_NAMED_BY_COMPOUND = frozenset(
    {
        "group",
        "organization",
        "organisation",
        "agency",
        "union",
        "center",
        "centre",
        "institute",
        "foundation",
    }
)
# Companies the small English model tags as people or places ("Twitter said" → PERSON in 20
# of 21 mentions of one PolNeAR train article), so that "the company" and "it" can find them.
KNOWN_ORGANISATIONS = frozenset(
    """Twitter Facebook Google YouTube Instagram Apple Microsoft Amazon Uber Netflix Reddit
    WikiLeaks Snapchat LinkedIn Yahoo Airbnb Tesla Walmart""".split()
)
# Nouns that name a person by their role ("the billionaire said"), for ``_person_before``.
PERSON_ROLES = frozenset(
    """senator congressman congresswoman lawmaker governor mayor candidate nominee businessman
    businesswoman billionaire mogul developer justice judge president secretary ambassador
    frontrunner front-runner hopeful contender challenger host anchor commentator columnist
    author senator-elect president-elect chairman chairwoman ceo executive strategist pollster
    activist actor actress singer rapper comedian preacher pastor evangelist minister socialist
    surgeon neurosurgeon doctor professor economist veteran tycoon star""".split()
)
PARTICLES = frozenset({"de", "da", "di", "del", "der", "du", "van", "von", "bin", "al", "la", "le"})


def _looks_like_name(name: str) -> bool:
    """Every word capitalised, apart from particles ("Ludwig van Beethoven")."""
    return all(w[:1].isupper() or w.lower() in PARTICLES for w in name.split())


def _headline_end(doc: Doc) -> int:
    """End of a Title Case first line (the headline), else 0."""
    first = doc.text.split("\n", 1)[0]
    words = [w for w in first.split() if len(w) > 3]
    if not words or len(first) == len(doc.text):
        return 0
    capitalised = sum(w[:1].isupper() for w in words)
    return len(first) if capitalised >= 0.7 * len(words) else 0


class ArticleSpeakers:
    """One canonical name per person in an article; resolves pronouns and bare surnames."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.full: dict[str, str] = {}
        self.gender: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # canonical name → NER label, for the speaker's kind
        self.titled: list[tuple[int, str, frozenset[str]]] = []  # (offset, name, role words)
        self.history: list[_Antecedent] = []
        self.guessed: dict[str, str] = {}  # gender from the given name, when no title says it
        ents = [e for e in doc.ents if e.label_ in NAME_LABELS]
        self._learn_full_names(ents)
        for ent in ents:
            label = "PERSON" if _titled(ent) else ent.label_
            name = strip_titles(name_part(ent).text)
            if not name:
                continue
            if name in KNOWN_ORGANISATIONS:
                label = "ORG"
            previous = doc[ent.start - 1].text if ent.start > 0 else ""
            self.add(ent.start_char, name, label, gender_of(previous), _is_subject(ent.root))
            if label == "PERSON":
                self._learn_role(ent)
                self._add_group(ent, name)
        tagged = {t.i for e in doc.ents for t in e}
        self._untagged_names(tagged)
        self._untagged_subjects(tagged)
        self._untagged_organisations(tagged)

    def _untagged_names(self, tagged: set[int]) -> None:
        """ "And oh yes, Carly Fiorina: … She had a great line" where the tagger saw no entity:
        a given name and a capitalised word after it, both proper nouns outside quote marks
        and past the headline, are a person (for later pronouns and her bare surname)."""
        doc, headline = self.doc, _headline_end(self.doc)
        for token in doc[:-1]:
            after = doc[token.i + 1]
            if {token.i, after.i} & tagged or token.idx < headline:
                continue
            if not (token.pos_ == after.pos_ == "PROPN" and token.is_title and after.is_title):
                continue
            if token.i > 0 and doc[token.i - 1].pos_ == "PROPN":
                continue  # inside a longer run of names ("New York Jets Coach")
            if not is_given_name(token.text) or _within_marks(doc.text, token.idx):
                continue
            if token.i + 2 < len(doc) and doc[token.i + 2].pos_ == "PROPN":
                continue
            name = f"{token.text} {after.text}"
            self.full.setdefault(canonical_key(after.text), name)
            self.add(token.idx, name, "PERSON", None, _is_subject(after))

    def _untagged_subjects(self, tagged: set[int]) -> None:
        """ "Trump responded by …" where the tagger saw no entity: a capitalised subject that is
        the surname of a person the article named is that person, for later pronouns."""
        text = self.doc.text
        for token in self.doc:
            if token.i in tagged or token.pos_ != "PROPN" or token.dep_ != "nsubj":
                continue
            if _within_marks(text, token.idx):
                continue
            key = canonical_key(token.text)
            if key in self.full and self.labels.get(self.full[key]) == "PERSON":
                self.add(token.idx, self.full[key], "PERSON", None, True)

    def _untagged_organisations(self, tagged: set[int]) -> None:
        """ "Twitter acknowledged that …" where the tagger saw no entity: a company the model
        is known to miss is still one, for a later "the company" or "it"."""
        text = self.doc.text
        for token in self.doc:
            if token.i in tagged or token.text not in KNOWN_ORGANISATIONS:
                continue
            if token.dep_ == "compound" or _within_marks(text, token.idx):
                continue  # "Twitter accounts", or words inside a quote
            self.add(token.idx, token.text, "ORG", None, _is_subject(token))

    def _learn_full_names(self, ents: list[Span]) -> None:
        """Bare surname (or given name) → the person's full name in this article. Surnames win
        over given names, the body over a Title Case headline (whose NER runs words on: "Obama
        Just", "Maher Tells Guest"), and a name must look like one ("Sanders camp" does not)."""
        headline = _headline_end(self.doc)
        body = self.doc.text[headline:]
        by_last: dict[str, str] = {}
        by_first: dict[str, str] = {}
        for ent in sorted(ents, key=lambda e: e.start_char < headline):
            if ent.label_ != "PERSON" and not _titled(ent):
                continue
            name = strip_titles(name_part(ent).text)
            if len(name.split()) < 2 or not _looks_like_name(name):
                continue
            if ent.start_char < headline and name not in body:
                continue
            key = canonical_key(name).split()
            by_last.setdefault(key[-1], name)
            by_first.setdefault(key[0], name)
        self.full = {**by_first, **by_last}

    def _add_group(self, ent: Span, name: str) -> None:
        """ "Putin and Kim Jong Un": one plural antecedent for a later "they"."""
        others = [c for c in ent.root.children if c.dep_ == "conj" and c.ent_type_ == "PERSON"]
        other = name_span(self.doc, others[0]) if others else None
        if other is not None:
            group = f"{self.canonical(name)} and {self.canonical(other.text)}"
            insort(self.history, _Antecedent(ent.start_char, group, "GROUP", None, True), key=_at)

    def _learn_role(self, ent: Span) -> None:
        """Remember "deputy US ambassador" from any mention of the person, cue or not."""
        head = ent.root.head if ent.root.dep_ == "appos" else ent.root
        described = describe(self.doc, head)
        if described.name and described.role:
            name = self.canonical(described.name)
            if canonical_key(name) == canonical_key(self.canonical(ent.text)):
                self.roles.setdefault(name, described.role)
                self.titled.append((ent.start_char, name, role_words(described.role)))

    def described(self, head: Token, mention: Mention) -> str | None:
        """The person a definite description stands for ("the former Florida governor" → the
        latest person named with that role before it, "former Florida Gov. Jeb Bush")."""
        if head.tag_ != "NN" or not any(c.lower_ == "the" for c in head.children):
            return None
        words = role_words(mention.span.text) - {"the"}
        noun = role_words(head.text)
        for pos, name, role in reversed(self.titled):
            if pos < head.idx and noun <= role and words <= role:
                return name if self.labels.get(name) == "PERSON" else None
        return self._organisation_before(head) or self._person_before(head)

    def owned(self, head: Token) -> str | None:
        """ "His campaign said": the campaign of the person the pronoun stands for, named the
        way articles name one ("Trump campaign", as in "the Trump campaign said")."""
        if head.lower_ != "campaign":
            return None
        owner = next((c for c in head.children if c.dep_ == "poss" and is_pronoun(c)), None)
        if owner is None or owner.lower_ not in FEMALE | MALE:
            return None
        name = self.pronoun(owner)
        if not name or self.labels.get(name) != "PERSON":
            return None
        return f"{name.split()[-1]} campaign"

    def _person_before(self, head: Token) -> str | None:
        """ "the Florida senator said", "the businessman told": a person's role with no person
        named in it stands for the person the story is following, the latest person who was the
        subject of a sentence in the 1,500 characters before it (or named in the same sentence)."""
        if head.lower_ not in PERSON_ROLES:
            return None
        for cand in reversed(self.history):
            if cand.pos >= head.idx or cand.label != "PERSON":
                continue
            if cand.pos < head.idx - 1500:
                return None
            if cand.subject or cand.pos >= head.sent.start_char:
                return cand.name
        return None

    def _organisation_before(self, head: Token) -> str | None:
        """ "the paper", "the company", "the social media company", "the group", "the agency":
        the latest organisation of that sort named in the 1,500 characters before it, the latest
        subject first ("The Global Times … the paper noted"; a company is no university, court or
        party)."""
        pattern = _REFERRING.get(head.lower_)
        if pattern is None:
            return None
        if head.lower_ in _NAMED_BY_COMPOUND and any(
            c.dep_ == "compound" and c.pos_ == "PROPN" for c in head.children
        ):
            return None  # "the Islamic State group" names its group
        near = [
            cand
            for cand in reversed(self.history)  # the latest first
            if head.idx - 1500 <= cand.pos < head.idx
            and cand.label == "ORG"
            and pattern.search(cand.name)
        ]
        # One that was a sentence's subject before one named in passing ("Twitter acknowledged
        # … co-director of the Liberty and National Security Program … the company said").
        best = next((c for c in near if c.subject), near[0] if near else None)
        return best.name if best else None

    def canonical(self, name: str) -> str:
        """The fullest form of ``name`` in this article ("Ms Shea" → "Dorothy Camille Shea")."""
        name = strip_titles(name)
        key = canonical_key(name)
        if key and " " not in key and key in self.full:
            return self.full[key]
        return name

    def add(self, pos: int, name: str, label: str, gender: str | None, subject: bool) -> None:
        """Remember a possible antecedent for later pronouns."""
        bare, name = name, self.canonical(name)
        if _within_marks(self.doc.text, pos):
            subject = False  # "“Coal isn't the villain,” he said": a quote's subject is not his
        elif name != strip_titles(bare) or self.labels.get(name) == "PERSON":
            label = "PERSON"  # "Lynch" tagged ORG, once the article named Loretta Lynch
        self.labels.setdefault(name, label)
        if gender and label == "PERSON":
            self.gender.setdefault(name, gender)
        if label == "PERSON" and name not in self.guessed:
            guess = given_gender(name)
            if guess:
                self.guessed[name] = guess
        # By offset: a quote resolved later ("Clinton talked about …") must not come before the
        # names that follow it when a later pronoun looks back.
        insort(self.history, _Antecedent(pos, name, label, gender, subject), key=_at)

    def _fits(self, pronoun: str, cand: _Antecedent) -> bool:
        if pronoun in PLURAL:
            return cand.label in ("ORG", "GPE", "NORP", "GROUP")
        if pronoun == "it":
            return cand.label in ("ORG", "GPE")
        if cand.label != "PERSON":
            return False
        gender = self._gender(cand.name)
        return not gender or (gender == "f") == (pronoun in FEMALE)

    def _gender(self, name: str) -> str | None:
        return self.gender.get(name) or self.guessed.get(name)

    def pronoun(self, token: Token) -> str | None:
        """Antecedent of a pronoun: the latest fitting subject, else the latest fitting name."""
        pronoun = token.lower_
        window = token.sent.start_char - 600
        if pronoun in PLURAL:  # "Putin and Kim Jong Un … They said": people before organisations
            groups = [c for c in self.history if c.label == "GROUP" and window <= c.pos < token.idx]
            if groups:
                return groups[-1].name
        fallback = unsure = nearer = None
        gendered = pronoun in FEMALE | MALE
        for cand in reversed(self.history):
            if cand.pos >= token.idx or not self._fits(pronoun, cand):
                continue
            if cand.subject and cand.pos >= window and unsure is None and nearer:
                # "Jeb Bush stumbled. … And oh yes, Carly Fiorina: … She had a great line":
                # a nearer name whose gender fits beats a subject whose gender is unknown.
                if not self._gender(cand.name):
                    return nearer
            if cand.subject and cand.pos >= window:
                # "Kelly confronted him … He later suggested …": a subject of unknown gender
                # gives way to an earlier one in the window whose gender the article states
                # (a title, a pronoun already resolved); a given name's guess does not count
                # ("Kim" is a woman's name in the census lists, not in "Kim Jong Un").
                if unsure is None and (pronoun not in FEMALE | MALE or self._gender(cand.name)):
                    return cand.name
                if unsure is not None and cand.name in self.gender:
                    return cand.name
                unsure = unsure or cand.name
            elif cand.pos >= window - 900:
                fallback = fallback or cand.name
                if gendered and unsure is None and cand.pos >= window and self._gender(cand.name):
                    nearer = nearer or cand.name
        return unsure or fallback

    def resolve(self, head: Token, mention: Mention) -> tuple[str | None, str | None]:
        """Canonical speaker and role for a cue subject; records it for later pronouns."""
        if is_pronoun(head):
            name = self.pronoun(head)
            if name and head.lower_ in FEMALE | MALE and name not in self.gender:
                self.gender[name] = "f" if head.lower_ in FEMALE else "m"
        elif mention.name and (owned := self.owned(head)):
            name = owned
        elif mention.name:
            found = None if mention.named else self.described(head, mention)
            name = found or self.canonical(mention.name)
            label = head.ent_type_ if head.ent_type_ in NAME_LABELS else "PERSON"
            if (head.like_num or head.ent_type_ in NUMERIC) and not mention.named:
                pass  # "the two did not discuss it. She told ABC …": no one's antecedent
            elif head.ent_type_ or head.pos_ == "PROPN":
                self.add(head.idx, name, label, gender_of(mention.span.text), True)
        else:
            name = None
        if name and mention.role:
            self.roles.setdefault(name, mention.role)
            if mention.named:
                self.titled.append((head.idx, name, role_words(mention.role)))
        return name, self.roles.get(name) if name else None
