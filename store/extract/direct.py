"""Quote-marked text: tie each quoted region to a cue, colon lead-in, dash or earlier paragraph."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from store.extract.cues import cue_score, is_speech_verb
from store.extract.marks import Region
from store.extract.reported import Candidate, nearest_subject, subject_of, text_of

MIN_WORDS = 4  # shorter unattributed quoted text is a scare quote, title or nickname
DIRECT_SHARE = 0.6  # a cue's content that is mostly quoted text is a direct quote
# "“…” ― Jane Doe" signs a quote: a dash (― is U+2015) and up to four capitalised words on the
# quote's own line (a name ending its line, "Jane Doe.\n", must not swallow the line break).
_DASH = re.compile(r"[ \t\xa0]*[―—–-]{1,2}[ \t\xa0]*((?:[A-Z][\w.'’-]*[ \xa0]?){1,4})")


def words(text: str) -> int:
    return len(text.split())


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def claim_regions(cands: list[Candidate], regions: list[Region]) -> dict[int, int]:
    """Give each region to the cue whose content holds it; direct or mixed by quoted share."""
    owner: dict[int, int] = {}
    for ri, region in enumerate(regions):
        span = (region.start, region.end)
        best = None
        for ci, cand in enumerate(cands):
            if region.start <= cand.cue.start_char < region.end:
                continue
            if _overlap(span, (cand.start, cand.end)) == 0:
                continue
            if best is None or cand.end - cand.start < cands[best].end - cands[best].start:
                best = ci
        if best is not None:
            owner[ri] = best
    for ri, ci in owner.items():
        cand, region = cands[ci], regions[ri]
        length = max(cand.end, region.end) - min(cand.start, region.start)
        quoted = sum(e - s for s, e in region.pieces)
        # "“A,” Bozell said": the parse overreaches past the closing mark into the cue's clause
        starts_quoted = cand.start >= region.start - 1 and cand.cue.start_char >= region.end
        if cand.kind == "direct" or starts_quoted or quoted >= DIRECT_SHARE * length:
            if cand.kind != "direct":
                cand.kind, cand.pieces = "direct", []
            cand.pieces = sorted(cand.pieces + list(region.pieces))
        else:
            cand.kind = "mixed"
            cand.pieces = [(min(cand.start, region.start), max(cand.end, region.end))]
        cand.regions.append(ri)
    return owner


def _nearest_cue(doc: Doc, region: Region) -> Token | None:
    """A speech verb outside the region in the sentences it touches, nearest first."""
    first = doc.char_span(region.start, region.end, alignment_mode="expand")
    if first is None:
        return None
    lo, hi = first[0].sent.start, first[-1].sent.end
    if hi < len(doc) and doc[hi].idx <= region.end + 1:  # the parse split off "Trump said."
        hi = min(doc[hi].sent.end, hi + 8)
    outside = [t for t in doc[lo:hi] if not region.start <= t.idx < region.end]
    verbs = [t for t in outside if is_speech_verb(t) or (t.pos_ == "VERB" and cue_score(t) >= 1)]
    if not verbs:
        return _any_verb_after(doc, region)
    return min(verbs, key=lambda t: min(abs(t.idx - region.start), abs(t.idx - region.end)))


def _any_verb_after(doc: Doc, region: Region) -> Token | None:
    """ "“This is fantastic!” beamed Donald Hartley": any verb with its own subject right after
    a quote that ends like speech (",", "!" or "?" before the closing mark)."""
    text = text_of(doc)
    if text[region.inner[1] - 1 : region.inner[1]] not in (",", "!", "?"):
        return None
    after = doc.char_span(region.end, min(len(text), region.end + 60), alignment_mode="contract")
    for token in after[:4] if after is not None else []:
        if "\n" in token.text:
            break
        subject = _own_subject_outside(token, region)
        if token.pos_ == "VERB" and subject is not None:
            return token
    return None


def _own_subject_outside(verb: Token, region: Region) -> Token | None:
    return nearest_subject(verb, (region.start, region.end))


def _mark_before(doc: Doc, region: Region, marks: str) -> Token | None:
    """The comma or colon token that ends the text before a quote: a comma on the quote's own
    line, a colon also at the end of the previous paragraph."""
    before = text_of(doc)[: region.start].rstrip(" \t\xa0")
    if not before.endswith(","):
        before = before.rstrip()
    if not before or before[-1] not in marks:
        return None
    mark = doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
    return None if mark is None else mark[0]


def _colon_cue(doc: Doc, region: Region) -> Token | None:
    """ "He added:" ending the text just before the quote (same or previous paragraph)."""
    colon = _mark_before(doc, region, ":")
    if colon is None:
        return None
    verbs = [t for t in colon.sent if t.pos_ in ("VERB", "AUX") and t.i < colon.i]
    speech = [t for t in verbs if is_speech_verb(t) or cue_score(t) >= 0.5]
    return speech[-1] if speech else None


def _lead_in(doc: Doc, region: Region) -> Token | None:
    """ "Hillary shot back, “…”", "Trump boomed: “…”", "telling reporters, “…”": the verb right
    before the comma or colon that opens the quote, whatever the verb."""
    mark = _mark_before(doc, region, ",:")
    if mark is None or mark.i == 0:
        return None
    token = doc[mark.i - 1]
    for _ in range(3):
        if token.pos_ == "VERB" and token.i < mark.i and subject_of(token) is not None:
            return token
        if token.head is token or token.head.i > mark.i:
            return None
        token = token.head
    return None


def _name_colon(doc: Doc, region: Region) -> Token | None:
    """ "Republican pollster Daron Shaw: “…”": a name right before the colon is the speaker."""
    colon = _mark_before(doc, region, ":")
    if colon is None or colon.i == 0:
        return None
    name = doc[colon.i - 1]
    if name.dep_ == "pobj" or name.ent_type_ in ("DATE", "TIME"):
        return None  # "celebrated the attacks on Twitter:", "in an interview on Tuesday:"
    if name.ent_type_ in ("PERSON", "ORG") or (name.pos_ == "PROPN" and not name.is_upper):
        return name
    return None


def _adjacent(doc: Doc, cue: Token, region: Region) -> bool:
    """ "a man yelled “Stay there!”", "“Denver,” he answered": the cue touches the quote."""
    text = text_of(doc)
    if cue.dep_ in ("amod", "compound") or subject_of(cue) is None:
        return False  # "the so-called “Gang of Eight”" names, it does not quote
    if cue.idx < region.start:
        return not text[cue.idx + len(cue) : region.start].strip()
    if text[region.inner[1] - 1 : region.inner[1]] not in (",", "!", "?"):
        return False
    between = doc.char_span(region.end, cue.idx, alignment_mode="expand")
    return between is not None and len(between) <= 3 and "\n" not in between.text


def _mixed(doc: Doc, cue: Token, region: Region) -> Candidate | None:
    """ "warned of a “ferocious” battle": a cue earlier in the clause; its words and the quote."""
    start = cue.i + 1
    while start < len(doc) and doc[start].dep_ in ("prt", "neg", "punct"):
        start += 1
    if cue.idx > region.start or start >= len(doc) or doc[start].idx >= region.start:
        return None
    if cue.dep_ in ("amod", "compound") or subject_of(cue) is None:
        return None  # "so-called": a label, not a report
    first = doc[start].idx
    text = text_of(doc)
    if "\n" in text[first : region.start]:
        return None
    # The clause goes on after the quote: "rejected as “wholly unsubstantiated” the US allegation
    # that …" — keep the cue's words up to the end of its clause, within the paragraph.
    last = cue.right_edge
    while last.i > cue.i and (last.is_punct or last.is_space):
        last = doc[last.i - 1]
    end = max(region.end, last.idx + len(last.text))
    if "\n" in text[region.end : end]:
        end = region.end
    return Candidate(doc[cue.i : cue.i + 1], subject_of(cue), [(first, end)], "mixed")


def _same_cue(doc: Doc, last: Candidate, cue: Token, region: Region) -> bool:
    """The cue already owns the previous quote of the same paragraph."""
    if not len(last.cue) or not last.cue.start <= cue.i < last.cue.end:
        return False
    return "\n" not in text_of(doc)[last.end : region.start]


def _make(doc: Doc, cue: Span | None, subject: Token | None, region: Region) -> Candidate:
    cue_span = cue if cue is not None else doc[0:0]
    return Candidate(cue_span, subject, list(region.pieces), "direct")


def _without_cue(doc: Doc, region: Region, last: Candidate | None) -> Candidate | None:
    """A quote with no cue near it: a trailing dash names the speaker, else it continues the
    previous direct quote (extended in place) or opens a paragraph in the same voice (new)."""
    text = text_of(doc)
    dash = _DASH.match(text, region.end)
    if dash and "\n" not in dash.group():
        signed = doc.char_span(dash.start(1), dash.end(1), alignment_mode="contract")
        if signed is not None and len(signed):
            return _make(doc, None, signed.root, region)
    if last is None or last.kind not in ("direct", "mixed") or region.start - last.end >= 1500:
        return None
    between = text[last.end : region.start]
    if "\n" not in between or not between.strip(" \t\n\xa0\"”'"):
        # "A," he said. "B." / quoted paragraphs in a row / "… “a phrase,” says X. “B.”"
        last.pieces.extend(region.pieces)
        return None
    if last.kind != "direct":
        return None
    if text[: region.start].rstrip(" \t").endswith("\n"):
        return _make(doc, None, last.subject, region)  # paragraph opening with a quote
    return None


def _says_something_else(doc: Doc, cue: Token, region: Region, cands: list[Candidate]) -> bool:
    """ "“… B.” Ohio Gov. John Kasich said he would have fired him": a cue after a quote that
    ends its sentence, with words of its own after it, does not claim the quote."""
    if cue.idx < region.end or text_of(doc)[region.inner[1] - 1 : region.inner[1]] not in ".?!":
        return False
    return any(len(c.cue) and c.cue.root.i == cue.i and c.start >= region.end for c in cands)


def attribute_orphans(
    doc: Doc, regions: list[Region], owner: dict[int, int], cands: list[Candidate]
) -> list[Candidate]:
    """Direct quotes whose cue the parse did not link: nearby verb, colon, dash or paragraph."""
    extra: list[Candidate] = []
    last: Candidate | None = None
    for ri, region in enumerate(regions):
        if ri in owner:
            last = cands[owner[ri]]
            continue
        inner = text_of(doc)[region.inner[0] : region.inner[1]]
        name = _name_colon(doc, region)
        if name is not None:
            last = _make(doc, None, name, region)
            extra.append(last)
            continue
        lead = _lead_in(doc, region)
        near = _nearest_cue(doc, region)
        if near is not None and _says_something_else(doc, near, region, cands):
            near = None
        cue = lead or near or _colon_cue(doc, region)
        if cue is not None and last is not None and _same_cue(doc, last, cue, region):
            last.pieces.extend(region.pieces)  # "A," he said, "B.": one statement, two pieces
            continue
        short_ok = lead is not None or (cue is not None and _adjacent(doc, cue, region))
        mixed = None if short_ok or cue is None else _mixed(doc, cue, region)
        if mixed is not None:
            last = mixed
            extra.append(mixed)
            continue
        if cue is not None and (words(inner) >= MIN_WORDS or not region.closed or short_ok):
            last = _make(doc, doc[cue.i : cue.i + 1], subject_of(cue), region)
            extra.append(last)
            continue
        if words(inner) >= MIN_WORDS:
            found = _without_cue(doc, region, last)
            if found is not None:
                last = found
                extra.append(found)
    return extra
