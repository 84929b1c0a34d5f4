"""Search-as-you-type pickers: the few speakers or articles matching what is typed, never a list
of the whole store (a store may hold 100k articles).

Choices are ``(label, value)`` pairs for a ``gr.Dropdown`` whose ``key_up`` asks again. The
dropdown still filters its choices by the typed text in the browser, so every label holds that
text: the alias that matched ("Dorothy Shea (as Ms Shea)"), or the typed words themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from bot.core import Bot

PICKER_SIZE = 20  # choices one picker shows
NO_FILTER = ""
LABEL_CHARS = 90


def speaker_choices(bot: Bot, typed: str, any_label: str = "") -> list[tuple[str, str]]:
    """Speakers whose name or alias holds ``typed``, most quoted first (all when empty)."""
    rows = bot.find_speakers(typed.strip(), PICKER_SIZE)
    first = [(any_label, NO_FILTER)] if any_label else []
    return first + [(_speaker_label(r, typed), str(r["speaker"])) for r in rows]


def article_choices(bot: Bot, typed: str, any_label: str = "") -> list[tuple[str, str]]:
    """Articles whose title or publisher holds ``typed`` (doc ids as values)."""
    rows = bot.find_articles(typed.strip(), PICKER_SIZE)
    first = [(any_label, NO_FILTER)] if any_label else []
    return first + [(_article_label(r, typed), str(r["doc_id"])) for r in rows]


def _speaker_label(row: dict[str, Any], typed: str) -> str:
    """The name, or "Dorothy Shea (as Ms Shea)" when an alias matched. No quote count: the
    lookup counts only the name forms that matched, so it would understate."""
    name, key = str(row["speaker"]), typed.strip().lower()
    if not key or key in name.lower():
        return name
    alias = next((str(a) for a in row.get("aliases", []) if key in str(a).lower()), None)
    return f"{name} (as {alias})" if alias else _with(name, typed)


def _article_label(row: dict[str, Any], typed: str) -> str:
    label = f"{row.get('publisher') or 'Unknown'}: {row.get('title') or row['doc_id']}"
    if len(label) > LABEL_CHARS:
        label = label[: LABEL_CHARS - 1] + "…"
    return _with(label, typed)


def _with(label: str, typed: str) -> str:
    """The label, ending with the typed text when the label does not show it (accents,
    a cut title), so the browser's own filter keeps the choice."""
    key = typed.strip()
    return label if key.lower() in label.lower() else f"{label} (“{key}”)"


def search_as_you_type(
    picker: gr.Dropdown, choices: Callable[[str], list[tuple[str, str]]]
) -> None:
    """Each key typed into ``picker`` replaces its choices with ``choices(typed)``."""

    def suggest(data: gr.KeyUpData) -> Any:
        return gr.update(choices=choices(data.input_value or ""))

    picker.key_up(
        suggest,
        None,
        picker,
        show_progress="hidden",
        trigger_mode="always_last",
        api_visibility="private",
    )
