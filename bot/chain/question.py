"""Question understanding: what the user asks (who said / what did X say / did X say), and filters.

``parse_question`` is pure text work; ``resolve_references`` fills "she", "he", "that" from the
conversation history using the alias table and the store's pronoun evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

Intent = Literal["who", "what", "did", "find"]

MONTHS = {
    m: i + 1
    for i, name in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
    for m in (name, name[:3], name[:4])
}
PRONOUN_SPEAKERS = {"he", "she", "they", "him", "her", "them", "it"}
REFERENCE_CLAIMS = {"that", "this", "it", "so", "those words", "these words", "the same"}
# Speech verbs a user puts after "who": "who warned…", "who called…", "who dismissed…".
_CUE = (
    r"(?:said|says|say|told|tells|stated|called|calls|warned|warns|claimed|claims|described|"
    r"dismissed|argued|insisted|suggested|added|noted|wrote|declared|announced|denied|"
    r"accused|praised|criticised|criticized|urged|promised|predicted|vowed|asserted|"
    r"admitted|complained|confirmed|reported|explained|labelled|labeled|branded|"
    r"threatened|mentioned|tweeted|believes|believed|thinks|thought|compared)"
)
_VERB = (
    r"(?:say|said|tell|told|claim|think|argue|warn|call|mention|believe|state|write|announce"
    r"|deny|suggest|comment|predict|promise|add|note|declare|explain|report|describe|propose"
    r"|recommend|reveal|admit|concede|ask|demand|urge|pledge|vow|tweet|insist|complain|respond"
    r"|repl|react|testify|acknowledge|confirm|accuse|critici|praise|blame)"
)
# Any other verb a user puts after "who" or "which senator" ("who brushed off …", "which poll
# found …", "which lawyer welcomed …"): a past tense in -ed, a common irregular one, or a few
# present ones. Tried after the patterns above, so a speech verb later in the question wins
# ("which group tied to Clinton said …").
_ANY_VERB = (
    r"(?:[a-z]+ed|found|quit|set|gave|took|made|brought|thought|felt|sought|held|led|put|spoke"
    r"|struck|drew|threw|saw|knew|won|lost|shook|hit|let|kept|left|meant|sent|stood|got|went"
    r"|came|became|wants|asks|blames|hopes|fears|expects|sees|wonders|questions|defends)"
    r"(?:\s+(?:off|out|back|up|down|aloud|away))?"
)


def _kind_asked(verbs: str, claim: str = ".*") -> re.Pattern[str]:
    """ "Which|What|Whose <kind> <verb> [that|whether] <claim>"."""
    return re.compile(
        r"^(?:which|what|whose)\s+(?P<kind>(?:(?!\b(?:did|does|do|has|have|had|was|is|were|"
        r"else|are|would|will|can)\b)[^?])+?)"
        rf"\s+(?:has\s+|had\s+|have\s+|once\s+)?(?P<cue>{verbs})\b"
        rf"(?:\s+(?:that|whether)\b)?\s*(?P<claim>{claim})$",
        re.I,
    )


_QUOTED = re.compile(
    r"“([^”]{2,})”|\"([^\"]{2,})\"|‘([^’]{2,}?)’(?!\w)|(?<![\w])'([^']{2,}?)'(?!\w)"
)
_PATTERNS: list[tuple[Intent, re.Pattern[str]]] = [
    ("who", re.compile(r"^according to whom\b[,:]?\s*(?P<claim>.*)$", re.I)),
    ("who", re.compile(r"^(?P<claim>.+?)[,—–-]*\s*according to whom\??$", re.I)),
    ("who", re.compile(r"^who\s+(?:was|is)\s+(?:quoted\s+as\s+)?saying\s+(?P<claim>.*)$", re.I)),
    (
        "who",
        re.compile(
            rf"^who\s+(?:else\s+)?(?:has\s+|had\s+|have\s+|did\s+|would\s+)?(?P<cue>{_CUE})\b"
            r"(?:\s+that\b)?\s*(?P<claim>.*)$",
            re.I,
        ),
    ),
    (
        "what",
        re.compile(
            rf"^what\s+(?:else\s+)?(?:did|has|have|does|do|had)\s+(?P<speaker>.+?)\s+(?:also\s+)?"
            rf"{_VERB}\w*\b(?:\s+(?:about|on|regarding|concerning|of))?\s*(?P<topic>.*)$",
            re.I,
        ),
    ),
    (
        "what",
        re.compile(
            r"^(?:what\s+(?:was|is|were|are)\s+)?(?P<speaker>.+?)['’]s?\s+(?:take|views?|"
            r"position|comments?|reaction|response|answer|words|quotes?|statements?|lines?|"
            r"remarks?|message|joke|argument|claims?)\s*(?:on|about|regarding|to)?\s*(?P<topic>.*)$",
            re.I,
        ),
    ),
    (
        "what",
        re.compile(
            r"^(?:show\s+(?:me\s+)?|list\s+|give\s+me\s+)?(?:all\s+)?(?:the\s+)?(?:quotes?|statements?"
            r"|comments?)\s+(?:from|by|of)\s+(?P<speaker>.+?)(?:\s+(?:about|on|regarding)\s+"
            r"(?P<topic>.*))?$",
            re.I,
        ),
    ),
    # "Which senator said …", "What newspaper reported …": the speaker's kind is asked
    ("who", _kind_asked(_CUE)),
    (
        "did",
        re.compile(
            rf"^(?:did|has|have|had)\s+(?P<speaker>.+?)\s+(?:ever\s+|really\s+|actually\s+)?"
            rf"(?P<cue>{_VERB})\w*\b(?:\s+that\b)?\s*(?P<claim>.*)$",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            rf"^who\s+(?P<cue>{_ANY_VERB})\b(?:\s+(?:that|whether)\b)?\s*(?P<claim>.+)$", re.I
        ),
    ),
    ("who", _kind_asked(_ANY_VERB, ".+")),  # the shortest kind: "which retired general agreed …"
]
_SOURCE = re.compile(
    r"\s*,?\s*\b(?:in|from|by|according to|reported by)\s+(?P<name>(?:the\s+)?"
    r"[A-Z][\w.&’'-]*(?:\s+(?:of\s+)?[A-Z][\w.&’'-]*)*)",
)
_DATE = re.compile(
    r"\s*,?\s*\b(?:in|during|on|from)\s+(?P<month>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?(?:\s+(?P<year>(?:19|20)\d\d))?\b|\s*,?\s*\bin\s+(?P<yearonly>(?:19|20)\d\d)\b",
    re.I,
)


@dataclass
class Question:
    """A parsed question: ``claim`` is what was said, ``fragment`` the part put in quotes."""

    text: str
    intent: Intent = "find"
    claim: str = ""
    fragment: str = ""
    speaker: str = ""
    topic: str = ""
    cue: str = ""
    kind: str = ""  # the speaker's kind the question asks for ("senator", "newspaper")
    source: str = ""
    month: int | None = None
    year: int | None = None
    exclude: list[str] = field(default_factory=list)  # passages already given ("what else")
    exclude_speakers: list[str] = field(default_factory=list)  # "who else said that?"

    @property
    def query(self) -> str:
        """The text to search quote records with."""
        return (self.fragment or self.claim or self.topic).strip()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(" ?!.,;:").strip()


def _strip_source(text: str, sources: Iterable[str]) -> tuple[str, str]:
    """Remove "in the Kyiv Independent" when the name is a known source (publisher/title)."""
    known = [s.lower() for s in sources if s]
    for m in _SOURCE.finditer(text):
        name = m.group("name").strip().rstrip(".?,")
        bare = re.sub(r"^the\s+", "", name, flags=re.I).lower()
        if bare and any(bare == k or bare in k for k in known):
            return (text[: m.start()] + text[m.end() :]), name
    return text, ""


def _strip_date(text: str) -> tuple[str, int | None, int | None]:
    # The last date mention is the filter ("… said in June, in the October 2024 articles").
    found = list(_DATE.finditer(text))
    if not found:
        return text, None, None
    m = found[-1]
    month = MONTHS.get(m.group("month").lower()) if m.group("month") else None
    year_text = m.group("year") or m.group("yearonly")
    return text[: m.start()] + text[m.end() :], month, int(year_text) if year_text else None


def parse_question(text: str, sources: Iterable[str] = ()) -> Question:
    """Intent, claim, quoted fragment, speaker, topic and source/date filters of a question."""
    original = re.sub(r"\s+", " ", text).strip()
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(original)]
    fragment = max(quoted, key=len).strip(" ,.") if quoted else ""
    body, source = _strip_source(original, sources)
    undated, month, year = _strip_date(body)
    if (month or year) and _describes_speaker(_parts(_lead(body))[1].get("kind", "")):
        undated, month, year = body, None, None
    body = _lead(undated)
    q = Question(text=original, fragment=fragment, source=source, month=month, year=year)
    intent, parts = _parts(body)
    if intent:
        return replace(
            q,
            intent=intent,
            claim=_unquote(parts.get("claim", "")),
            speaker=parts.get("speaker", ""),
            topic=_unquote(parts.get("topic", "")),
            cue=parts.get("cue", "").lower(),
            kind=parts.get("kind", ""),
        )
    return replace(q, claim=_unquote(body))


def _lead(body: str) -> str:
    body = _clean(body)
    return re.sub(r"^(?:and|so|ok|okay|also|then|but)\b[,]?\s+", "", body, flags=re.I)


def _parts(body: str) -> tuple[str, dict[str, str]]:
    """The first question pattern ``body`` matches, and its parts ("", {} if none)."""
    for intent, pattern in _PATTERNS:
        m = pattern.match(body)
        if m:
            return intent, {k: _clean(v or "") for k, v in m.groupdict().items()}
    return "", {}


def _describes_speaker(kind: str) -> bool:
    """A date in a relative clause about the speaker ("Which pollster who worked against Cruz
    in 2012 said …") says when they did that, not when the quote was said."""
    found = re.search(r"\b(?:who|whose|that)\b", kind, flags=re.I)
    return bool(found and _DATE.search(kind, found.end()))


def _unquote(text: str) -> str:
    return _clean(re.sub(r"[“”\"‘’]|(?<!\w)'|'(?!\w)", " ", text))


def is_reference(claim: str) -> bool:
    """True when the claim only points back ("who else said that?")."""
    return _clean(claim).lower() in REFERENCE_CLAIMS


_PASSAGE = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"")
_PRONOUN_GENDER = {"she": "f", "her": "f", "he": "m", "him": "m"}


def resolve_references(
    q: Question,
    history: list[dict[str, str]],
    find_names: Callable[[str], list[str]],
    gender: dict[str, str],
) -> Question:
    """Fill a pronoun speaker ("what else did she say?") and a "that" claim from earlier turns.

    ``find_names`` returns the canonical speaker names mentioned in a text, first mention first;
    ``gender`` maps a canonical name to "f"/"m" when the articles refer to them as she/he.
    """
    if not history:
        return q
    turns = [t for t in history if isinstance(t, dict) and t.get("content")]
    if q.speaker.lower() in PRONOUN_SPEAKERS:
        wanted = _PRONOUN_GENDER.get(q.speaker.lower())
        names = [n for t in reversed(turns) for n in find_names(str(t["content"]))]
        fits = [n for n in names if wanted is None or gender.get(n, wanted) == wanted]
        q = replace(q, speaker=(fits or names or [q.speaker])[0])
        if re.search(r"\belse\b", q.text, re.I):
            q = replace(q, exclude=_passages(turns))
    if q.intent in ("who", "did", "find") and (is_reference(q.claim) or not q.query):
        previous = _passages([t for t in turns if t.get("role") == "assistant"])
        if previous:
            q = replace(q, claim=previous[-1], fragment="")
        if re.search(r"\belse\b", q.text, re.I):
            q = replace(q, exclude_speakers=_speakers_said(turns, find_names))
    return q


def _passages(turns: list[dict[str, str]]) -> list[str]:
    """Quoted passages in earlier turns, oldest first; the most recent answer's first is last."""
    out: list[str] = []
    for turn in turns:
        found = [next(g for g in m.groups() if g) for m in _PASSAGE.finditer(str(turn["content"]))]
        out += list(reversed(found))
    return out


def _speakers_said(
    turns: list[dict[str, str]], find_names: Callable[[str], list[str]]
) -> list[str]:
    """The speaker of the previous answer ("who else said that?" should find someone new)."""
    assistant = [t for t in turns if t.get("role") == "assistant"]
    return find_names(str(assistant[-1]["content"]))[:1] if assistant else []
