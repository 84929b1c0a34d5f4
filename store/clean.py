"""Text repair and boilerplate removal, by general heuristics (no site-specific strings)."""

from __future__ import annotations

import re

import ftfy

# A lone "ā" or "â" standing where a quote mark belongs is what is left of a curly quote
# (E2 80 9C/9D) decoded as a Baltic or Latin code page after its last two bytes were lost.
_MOJIBAKE_QUOTE = re.compile(r"(?<![^\W\d_])[āâ](?=[^\W\d_])|(?<=[^\s\W]|[.,!?;:])[āâ](?![^\W\d_])")

_CTA = re.compile(
    r"\b(donat(e|ion|ions|ing)|subscri\w*|contribut(e|ion|ions)|our (community|mission|readers)|"
    r"new members|e-?mail address|newsletters?|sign[ -]?up|sign in|log ?in|"
    r"become a (member|subscriber|supporter)|membership|paywalls?|your support|support (us|our)|"
    r"advertis(e|ement|ing)|cookies?|commenting|comment(s)? (policy|section)|join (the|our) "
    r"(conversation|discussion|community)|follow (us|other)|share (this|on)|skip to|"
    r"indicates required|required fields?|all rights reserved|click here|download (the|our) app|"
    r"created with ai|listen to (this|the) article|min(ute)? read|additional reporting|"
    r"terms of (use|service)|privacy policy|read more|related articles?)\b",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(r"\([^()]*\b(getty|afp|reuters|ap photo|epa|shutterstock|pool)\b[^()]*\)\s*$", re.I)
_PUBLISHER_VOICE = re.compile(r"\b(we|our|us)\b", re.IGNORECASE)
_QUOTE_MARKS = re.compile(r"[\"“”«»]")
_SENTENCE_END = re.compile(r"(?<=[a-z][a-z][.!?])(?=[A-Z][a-z])|(?<=[.!?][\"”’)])\s+|(?<=[.!?])\s+")
_MENU_LINE = re.compile(r"^(comments?|edit post|menu|search|home|advertisement|share|print)$", re.I)


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


def _is_boilerplate_sentence(sentence: str) -> bool:
    if _QUOTE_MARKS.search(sentence) and not _CTA.search(sentence.split("“")[0]):
        return False
    return bool(_CTA.search(sentence) or _PHOTO_CREDIT.search(sentence))


def _publisher_voice(block: str) -> bool:
    """Promotional copy speaks as "we/our" to the reader, without quoting anyone."""
    return not _QUOTE_MARKS.search(block) and len(_PUBLISHER_VOICE.findall(block)) >= 2


def _is_menu_line(block: str) -> bool:
    """Short lines with no sentence punctuation: menus, buttons, section labels, subheads."""
    words = block.split()
    return len(words) <= 6 and not re.search(r"[.!?:;,]\W*$", block)


def _clean_block(block: str) -> tuple[str, bool]:
    """Drop boilerplate sentences from a block; report whether the whole block was boilerplate.

    A block goes whole when every sentence is boilerplate, or when it speaks in the publisher's
    voice and asks something of the reader; otherwise only its boilerplate sentences go (pages
    often glue an appeal to the first sentence of the story).
    """
    stripped = block.strip()
    if not stripped:
        return "", False
    if _MENU_LINE.match(stripped) or _PHOTO_CREDIT.search(stripped):  # navigation, captions
        return "", True
    sentences = split_sentences(stripped)
    flags = [_is_boilerplate_sentence(s) for s in sentences]
    if all(flags) or (any(flags) and _publisher_voice(stripped)):
        return "", True
    if not any(flags):
        return stripped, False
    return " ".join(s.strip() for s, bad in zip(sentences, flags, strict=True) if not bad), False


def remove_boilerplate(text: str) -> str:
    """Remove calls to action, navigation, credits and promotional copy, block by block."""
    blocks = text.split("\n")
    cleaned: list[str] = []
    dropped: list[bool] = []
    first = next((i for i, b in enumerate(blocks) if b.strip()), 0)
    for i, block in enumerate(blocks):
        if i != first and _is_menu_line(block.strip()) and block.strip():
            cleaned.append("")
            dropped.append(True)
            continue
        kept, was_boilerplate = _clean_block(block)
        cleaned.append(kept)
        dropped.append(was_boilerplate)
    # Promotional copy between two boilerplate blocks goes with them.
    for i in range(1, len(blocks) - 1):
        if cleaned[i] and _publisher_voice(cleaned[i]):
            before = next((dropped[j] for j in range(i - 1, -1, -1) if blocks[j].strip()), False)
            after = next((dropped[j] for j in range(i + 1, len(blocks)) if blocks[j].strip()), False)
            if before and after:
                cleaned[i] = ""
    return "\n".join(b for b in cleaned if b)


def clean_text(text: str) -> str:
    """The full cleaning applied at ingest: repair, then boilerplate removal."""
    return remove_boilerplate(fix_text(text))
