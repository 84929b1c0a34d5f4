"""What a speaker mention is: a person, an organisation, or no speaker at all.

A speaker is a person or organisation noun phrase. A number ("63 percent", "Six in 10"), a generic
noun ("a woman", "political rivals") or a thing ("Hacked emails", "the poll") keeps its mention
(the words in the article) but gives no speaker name; a thing with a named owner ("a fundraising
email sent out by Sanders", "a CNN poll", "Trump released a video that said") speaks for that
owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from store.extract.cues import lemma_guesses
from store.extract.mention import describe, is_pronoun
from store.extract.speaker import ArticleSpeakers
from store.extract.subject import antecedent
from store.speakers import TITLE_WORDS, fold
from store.types import SpeakerKind

# People nouns that say nothing about who spoke.
GENERIC_PEOPLE = frozenset(
    """woman women man men people person persons individual individuals resident residents voter
    voters rival rivals opponent opponents supporter supporters backer backers fan fans
    protester protesters protestor protestors demonstrator demonstrators friend friends crowd
    crowds audience attendee attendees participant participants someone somebody anyone anybody
    everyone everybody nobody other others many some few all most several both each either
    neither one ones those these guy guys folks kid kids child children citizen citizens
    onlooker onlookers passerby bystander bystanders viewer viewers reader readers user users
    customer customers visitor visitors""".split()
)
# Things that carry words without being anyone: their owner, if named, is the speaker.
DOCUMENTS = frozenset(
    """email emails message messages poll polls polling survey surveys report reports study studies
    statement statements release releases ad ads advertisement video videos tweet tweets post posts
    letter letters memo memos article articles book books website site page headline headlines
    caption sign signs banner banners document documents record records filing filings data result
    results figure figures analysis analyses number numbers transcript transcripts interview
    interviews speech speeches comment comments remark remarks editorial column op-ed note notes
    lawsuit complaint ruling resolution platform petition account accounts average averages
    calculation calculations estimate estimates projection projections chart map list text texts
    recording recordings audio footage clip clips photo photos image images picture pictures
    voice voices shout shouts chant chants slogan slogans sentence passage line lines timeline
    attack attacks incident treaty treaties pact agreement deal bill law laws plan proposal
    measure legislation policy rule regulation decision verdict charter constitution amendment
    """.split()
)
_SHARES = frozenset(
    "percent % percentage majority minority half third quarter plurality share".split()
)
ORG_NOUNS = frozenset(
    """ministry department campaign committee government administration agency office court police
    party company group council board union organization organisation commission embassy army
    military team network newspaper paper firm bank institute foundation university school
    house senate congress parliament legislature cabinet kremlin pentagon bureau service
    association coalition alliance federation center centre council caucus""".split()
)
PERSON_ROLES = frozenset(
    """aide aides adviser advisers advisor advisors official officials source sources officer
    officers lawmaker lawmakers legislator legislators strategist strategists pollster pollsters
    economist economists historian historians expert experts analyst analysts executive
    executives staffer staffers agent agents prosecutor prosecutors investigator investigators
    researcher researchers scientist scientists doctor doctors lawyer lawyers attorney attorneys
    diplomat diplomats insider insiders operative operatives organizer organizers activist
    activists consultant consultants spokesmen spokeswomen spokespeople representative
    representatives delegate delegates senator senators governor governors minister ministers
    judge judges mayor mayors president official chief manager director chairman chairwoman
    candidate candidates nominee""".split()
)
_OWNER_VERBS = frozenset(
    """release issue put send post publish run air write sign file launch circulate tweet share
    unveil distribute produce conduct commission""".split()
)


def _lemma(token: Token) -> str:
    return fold(token.lower_)


def is_number(head: Token) -> bool:
    """ "63 percent", "31%", "Six in 10", "the 30 percent": a share or a count, not a speaker."""
    if head.like_num or head.pos_ == "NUM" or _lemma(head) in _SHARES:
        return True
    if head.ent_type_ in ("PERCENT", "CARDINAL", "QUANTITY", "MONEY"):
        return True
    # "Six in 10 Republicans", "nine of 10 voters": a share of a count governs the noun
    counts = [c for c in head.children if c.dep_ == "nummod"]
    return any(q.lower_ in ("in", "of", "out") for c in counts for q in c.children)


def generic(head: Token) -> bool:
    """A people noun that says nothing about who ("a woman", "political rivals", "others")."""
    return head.pos_ != "PROPN" and not head.ent_type_ and _lemma(head) in GENERIC_PEOPLE


def is_document(head: Token) -> bool:
    """A thing that carries words ("the poll", "Hacked emails", "a fundraising email")."""
    return head.pos_ == "NOUN" and _lemma(head) in DOCUMENTS


def _named(token: Token) -> bool:
    return token.pos_ == "PROPN" or token.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")


def document_owner(head: Token) -> Token | None:
    """Who a document speaks for: "Sanders's email", "a CNN poll", "a study by Dmitriyev",
    "an email sent out by Sanders", "Trump released a video that said"."""
    for child in head.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "compound" and _named(child) and child.ent_type_ != "DATE":
            return child
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if child.dep_ == "acl":
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            if pobj is not None:
                return pobj
    verb = head.head
    if head.dep_ == "dobj" and _OWNER_VERBS.intersection(lemma_guesses(verb.lower_)):
        return next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return None


def kind_of(head: Token, label: str | None) -> SpeakerKind:
    """person / org / unknown, from the NER label of the resolved name or the head noun."""
    if label == "PERSON" or label == "GROUP":
        return "person"
    if label in ("ORG", "NORP", "GPE"):
        return "org"
    lemma = _lemma(head)
    if head.lower_ in ("he", "she", "him", "her", "i", "me"):
        return "person"
    if lemma in ORG_NOUNS:
        return "org"
    if lemma in PERSON_ROLES or lemma in TITLE_WORDS or lemma.endswith(("man", "woman")):
        return "person"
    return "unknown"


@dataclass
class Speaker:
    """Who speaks for a cue: the words in the article, the canonical name, role and kind."""

    mention: Span
    name: str | None
    role: str | None
    kind: SpeakerKind


def attribute(speakers: ArticleSpeakers, subject: Token) -> Speaker:
    """The speaker a cue's subject stands for: a relative pronoun its noun, a document its owner,
    a pronoun its antecedent; numbers, generic nouns and things have no name."""
    doc = speakers.doc
    written = describe(doc, subject)
    head = antecedent(subject)
    described = written if head.i == subject.i else describe(doc, head)
    if not described.named and is_document(head):
        owner = document_owner(head)
        if owner is not None:
            head = antecedent(owner)
            described = describe(doc, head)
    name, role = speakers.resolve(head, described)
    nameless = not described.named and not is_pronoun(head)
    appositive = described.named and any(c.dep_ == "appos" for c in head.children)
    if (is_number(head) and not appositive) or (
        nameless and (generic(head) or is_document(head))
    ):  # "one of the family's attorneys, Justin Bamberg," is named by its appositive
        name, role = None, None
    elif nameless and head.pos_ not in ("NOUN", "PROPN"):
        name, role = None, None  # "that", "which", "all" with nothing to stand for
    if name and appositive and is_number(head) and role == head.text:
        role = described.span.text.split(",")[0].strip() or role  # "one of the … attorneys"
    kind = kind_of(head, speakers.labels.get(name)) if name else "unknown"
    return Speaker(written.span, name, role, kind)
