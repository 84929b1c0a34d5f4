"""Text repair and boilerplate removal, by general heuristics (no site-specific strings).

News prose talks *about* people in the third person; site chrome talks *to the reader*
("your support", "sign up", "we've sent you…"). A sentence is only dropped when it has
call-to-action vocabulary *and* addresses the reader or speaks as the publisher, so a story
about campaign donations or cookie recipes keeps every sentence. Quoted speech is never dropped.
"""

from __future__ import annotations

import re

import ftfy

# A lone "ā" or "â" standing where a quote mark belongs is what is left of a curly quote
# (E2 80 9C/9D) decoded as a Baltic or Latin code page after its last two bytes were lost.
_MOJIBAKE_QUOTE = re.compile(r"(?<![^\W\d_])[āâ](?=[^\W\d_])|(?<=[^\s\W]|[.,!?;:])[āâ](?![^\W\d_])")

# Words of appeals, sign-up forms and site chrome; only boilerplate when the reader is addressed.
# Everyday words (support, community, readers…) count only inside the phrases appeals use.
_CTA = re.compile(
    r"\b(donat(e|es|ion|ions|ing)|subscri(be|bed|ber|bers|bing|ption|ptions)|newsletters?|"
    r"sign(ing|ed)?[ -]?up|sign in|log ?in|paywalls?|membership|podcast|(our|the) app|"
    r"advertisement|cookies|notifications|confirmation e-?mail|e-?mail address|your e-?mail|"
    r"your (support|contribution|donation|gift)|support (us|our|independent|quality)|"
    r"our (community|mission|readers|journalism|reporting|newsroom|supporters|members)|"
    r"readers like you|(other|fellow) (\w+ )?readers|new members|"
    r"become a (member|subscriber|supporter|patron)|"
    r"follow (us|\w+( \w+)? on (twitter|facebook|instagram|x|threads|bluesky))|"
    r"join (the|our) (conversation|discussion|community|commenting)|share (this|on))\b",
    re.IGNORECASE,
)
# Second person, publisher's first person plural, or an imperative call to action.
_ADDRESS = re.compile(
    r"\b(you|your|yours|we|our|ours)\b|(?-i:\bus\b)|"
    r"^\W*(please|subscribe|sign|join|follow|click|tap|download|become|donate|enter|gift|"
    r"consider|register|listen)\b",
    re.IGNORECASE,
)
# Chrome that never occurs in article prose, whoever speaks.
_ALWAYS = re.compile(
    r"\b(indicates required|required fields?|all rights reserved|skip to (main )?content|"
    r"\d+\s*min(ute)?s? read|created with ai|listen to (this|the) (article|story)|"
    r"(additional|editing|reporting) (reporting )?by \w+|"
    r"this (audio|article) (is|was) (created|generated|produced))\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(r"\b(said|says|told|tells|according to|added|adds|wrote|writes)\b")
_PHOTO_CREDIT = re.compile(
    r"\([^()]*\b(getty|afp|reuters|ap photo|epa|shutterstock|pool)\b[^()]*\)\s*$", re.I
)
QUOTE_MARKS = _QUOTE_MARKS = re.compile(r"[\"“”«»‘]|''")
_SENTENCE_END = re.compile(r"(?<=[a-z][a-z][.!?])(?=[A-Z][a-z])|(?<=[.!?][\"”’)])\s+|(?<=[.!?])\s+")
_MENU_LINE = re.compile(r"^(comments?|edit post|menu|search|home|advertisement|share|print)$", re.I)
_TRUNCATED = re.compile(r"\w(…|\.\.\.)\s*$")  # a teaser cut mid-sentence: "…came days a…"
_ENDS_SENTENCE = re.compile(r"[.!?]\W*$")
SANDWICH_WORDS = 25


def fix_text(text: str) -> str:
    """Repair mojibake and normalise line endings; keeps curly quotes as they are."""
    text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    text = _MOJIBAKE_QUOTE.sub(_quote_for, text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _quote_for(match: re.Match[str]) -> str:
    """An opening mark before a letter, a closing one after a word or punctuation."""
    nxt = match.string[match.end() : match.end() + 1]
    return "“" if nxt.isalpha() else "”"


def split_sentences(block: str) -> list[str]:
    """Rough sentence split that also separates sentences glued without a space."""
    return [s for s in _SENTENCE_END.split(block) if s and s.strip()]


def is_boilerplate_sentence(sentence: str) -> bool:
    """Site chrome, or a call to action that addresses the reader; never quoted speech."""
    if _QUOTE_MARKS.search(sentence):
        return False
    if _ALWAYS.search(sentence) or _PHOTO_CREDIT.search(sentence):
        return True
    if _REPORTED.search(sentence):  # reported speech is what quotebot is for
        return False
    return bool(_CTA.search(sentence) and _ADDRESS.search(sentence))


def _quoted(sentences: list[str]) -> list[bool]:
    """Which sentences carry quote marks or sit inside a quotation opened earlier in the block."""
    out, depth, straight = [], 0, False
    for sentence in sentences:
        out.append(depth > 0 or straight or bool(_QUOTE_MARKS.search(sentence)))
        depth = max(0, depth + sentence.count("“") - sentence.count("”"))
        straight ^= (sentence.count('"') + sentence.count("''")) % 2 == 1
    return out


def _publisher_voice(block: str) -> bool:
    """Promotional copy speaks as "we/our" or to "you", without quoting anyone."""
    return not _QUOTE_MARKS.search(block) and len(_ADDRESS.findall(block)) >= 2


def _is_menu_line(block: str) -> bool:
    """Short lines with no sentence punctuation: menus, buttons, section labels, subheads."""
    words = block.split()
    return 0 < len(words) <= 6 and not re.search(r"[.!?:;,]\W*$", block)


def _clean_block(block: str) -> tuple[str, bool]:
    """Drop boilerplate sentences from a block; report whether the whole block was boilerplate.

    A block goes whole when it asks something of the reader and its other sentences speak to
    the reader too; otherwise only its boilerplate sentences go (pages often glue an appeal to
    the first sentence of the story).
    """
    stripped = block.strip()
    if not stripped:
        return "", False
    if _MENU_LINE.match(stripped) or _PHOTO_CREDIT.search(stripped):  # navigation, captions
        return "", True
    sentences = split_sentences(stripped)
    quoted = _quoted(sentences)
    flags = [not q and is_boilerplate_sentence(s) for s, q in zip(sentences, quoted, strict=True)]
    rest = [s for s, bad in zip(sentences, flags, strict=True) if not bad]
    speaks_to_reader = all(_ADDRESS.search(s) for s in rest) or len(_ADDRESS.findall(stripped)) >= 3
    if any(flags) and not _QUOTE_MARKS.search(stripped) and speaks_to_reader:
        return "", True  # the rest of an appeal also speaks to the reader (or nothing is left)
    if not any(flags):
        return stripped, False
    return " ".join(s.strip() for s, bad in zip(sentences, flags, strict=True) if not bad), False


def _drop_teasers(blocks: list[str], dropped: list[bool]) -> None:
    """A truncated excerpt ("…days a…") is a link to another story; its headline goes too."""
    for i, block in enumerate(blocks):
        if block and _TRUNCATED.search(block) and len(block.split()) >= 8:
            blocks[i], dropped[i] = "", True
            j = _neighbour(blocks, dropped, i, -1, include_dropped=False)
            if j is None or _ENDS_SENTENCE.search(blocks[j]) or len(blocks[j].split()) > 20:
                continue
            blocks[j], dropped[j] = "", True


def _neighbour(
    blocks: list[str], dropped: list[bool], i: int, step: int, include_dropped: bool = True
) -> int | None:
    """Index of the nearest block in direction ``step`` that had text before cleaning."""
    j = i + step
    while 0 <= j < len(blocks):
        if blocks[j] or (include_dropped and dropped[j]):
            return j
        j += step
    return None


def remove_boilerplate(text: str) -> str:
    """Remove calls to action, navigation, credits and promotional copy, block by block."""
    blocks = text.split("\n")
    cleaned: list[str] = []
    dropped: list[bool] = []
    first = next((i for i, b in enumerate(blocks) if b.strip()), 0)
    for i, block in enumerate(blocks):
        if i != first and _is_menu_line(block.strip()):
            cleaned.append("")
            dropped.append(False)  # weak evidence: news subheads look like menu lines too
            continue
        kept, was_boilerplate = _clean_block(block)
        cleaned.append(kept)
        dropped.append(was_boilerplate)
    _drop_teasers(cleaned, dropped)
    # Short or promotional copy between two boilerplate blocks goes with them.
    for i, block in enumerate(cleaned):
        if not block or _QUOTE_MARKS.search(block):
            continue
        short_sentences = len(block.split()) <= SANDWICH_WORDS and _ENDS_SENTENCE.search(block)
        if not (_publisher_voice(block) or short_sentences):  # headings keep: no full stop
            continue
        before = _neighbour(cleaned, dropped, i, -1)
        after = _neighbour(cleaned, dropped, i, 1)
        if before is not None and after is not None and dropped[before] and dropped[after]:
            cleaned[i] = ""
    return "\n".join(b for b in cleaned if b)


def clean_text(text: str) -> str:
    """The full cleaning applied at ingest: repair, then boilerplate removal."""
    return remove_boilerplate(fix_text(text))


# --- extracted article text (HTML): whole lines only, and only chrome no article prose is ---

# "Read more: <another story's headline>" and its kin, between paragraphs.
_INTERSTITIAL = re.compile(
    r"^\W*(read more|read also|also read|read next|related( stories| articles)?|see also|"
    r"more on this( story)?)\s*[:|»›]\s*\S",
    re.IGNORECASE,
)
_WIDGET = re.compile(
    r"^\W*(advertisement|story continues below( this)? advertisement|ad|skip to (main )?content|"
    r"share this (article|story)|listen to this (article|story)( \W? ?\d+ min(utes)?)?|"
    r"\d+ min(ute)?s? read|loading( \w+){0,3} ?(\.\.\.|…)|"
    r"you('ve| have) read \d+ (of \d+ )?(free )?articles?\b.*)\W*$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^\W*(©|\(c\) ?\d{4}|copyright ?(©|\(c\))? ?\d{4})|\ball rights reserved\b", re.IGNORECASE
)
INTERSTITIAL_WORDS = 25
DUPLICATE_WORDS = 6


def _key(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.casefold()))


def _is_chrome_line(line: str) -> bool:
    """A whole line of page chrome: a "Read more:" link, a widget label, a copyright notice."""
    words = len(line.split())
    if _INTERSTITIAL.match(line) and words <= INTERSTITIAL_WORDS:
        return True
    if _WIDGET.match(line):
        return True
    return bool(_COPYRIGHT.search(line)) and words <= 30 and not _QUOTE_MARKS.search(line)


def _repeated(lines: list[str]) -> set[int]:
    """Lines that repeat another line's words (pull quotes, a headline shown twice): the words
    are kept where they also stand, so nothing of the article goes."""
    keys = [_key(line) for line in lines]
    out: set[int] = set()
    if len(lines) > 2000:  # quadratic; a page this long is not worth the check
        return out
    for i, key in enumerate(keys):
        if len(key.split()) < DUPLICATE_WORDS:
            continue
        for j, other in enumerate(keys):
            same = key == other and j < i  # the second of two equal lines goes
            inside = key != other and f" {key} " in f" {other} "
            if i != j and j not in out and (same or inside):
                out.add(i)
                break
    return out


def clean_extracted(text: str, title: str = "") -> str:
    """Cleaning that is safe on extracted article text: whole lines of chrome, repeated lines
    and a first line that only repeats the headline go; no sentence is cut out of a line."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if lines and title and _key(lines[0]) == _key(title):
        lines = lines[1:]
    repeated = _repeated(lines)
    return "\n".join(
        line for i, line in enumerate(lines) if i not in repeated and not _is_chrome_line(line)
    )
