"""The Gradio page, built from a Bot and mounted at ``/`` by the API app.

The Ask tab. Left: the conversation, streamed. Right: filters (pickers that search as you
type), the sources panel where each cited quote is shown highlighted inside its paragraph, with
a link to the full article view, and a download of the answer. The Speakers tab: ui/speakers.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import gradio as gr

from bot.core import Bot
from bot.export import answer_to, check_format, file_name
from bot.settings import Settings
from bot.types import Answer
from store.errors import QuoteBotError
from store.types import Hit
from ui.downloads import ExportFiles
from ui.html import render_article, sources_panel
from ui.pickers import NO_FILTER, article_choices, search_as_you_type, speaker_choices
from ui.speakers import FORMATS, SPEAKER_CSS, speakers_tab
from ui.stream import text_chunks

__all__ = ["CSS", "build_ui", "render_article"]

EXAMPLES = [
    "Who said North Korean troops would be fair game?",
    "Who called the treaty very timely?",
    "What did Dorothy Shea say about North Korea?",
    "Who said North Korea would stand firmly by our Russian comrades?",
]
EMPTY_INDEX = "No articles are indexed yet. Run `quotebot ingest PATH`, then reload this page."
ANY_SPEAKER, ANY_ARTICLE = "Any speaker", "Any article"

CSS = (
    """
.qb-source { border-left: 3px solid #e0a800; padding: .4rem .7rem; margin-bottom: .8rem; }
.qb-head { font-size: .85rem; color: #555; margin-bottom: .3rem; }
.qb-speaker { font-weight: 600; color: #222; }
.qb-context { font-family: Georgia, serif; line-height: 1.5; margin: .2rem 0; }
mark.qb-quote { background: #fff2a8; color: #111; padding: 0 .1em; }
.qb-link { font-size: .85rem; }
.qb-empty { color: #666; font-style: italic; }
"""
    + SPEAKER_CSS
)


# Characters Markdown (or the HTML inside it) would act on; CommonMark lets any ASCII
# punctuation be escaped with a backslash, and entities keep < > & literal; an escaped ':', '@'
# or '.' also stops GFM from auto-linking URLs, e-mail addresses and www. names.
_MARKDOWN = frozenset("\\`*_{}[]()#+-.!|~$:@")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPED = re.compile(r"&(amp|lt|gt);|\\([!-/:-@\[-`{-~])")


def markdown_text(text: str) -> str:
    """Text for a Markdown surface (the chat) that shows exactly these characters.

    Article text is untrusted: ``<script>``, ``<b>``, ``*``, ``_``, ``[a](b)`` or a leading ``#``
    in a quote or title must appear as typed, not act as markup.
    """
    return "".join(_ENTITIES.get(c) or ("\\" + c if c in _MARKDOWN else c) for c in text)


def plain_text(markdown: str) -> str:
    """The inverse of ``markdown_text`` (chat history sent back as plain text)."""
    return _ESCAPED.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}.get(m[1]) or m[2], markdown)


def _status(bot: Bot) -> str:
    articles, quotes = bot.index.counts()
    if not articles:
        return EMPTY_INDEX
    return f"{articles} articles, {quotes} quotes indexed. Every quote is verbatim and linked."


def _filter_choices(bot: Bot) -> tuple[Any, Any, Any]:
    """The pickers' first choices (the most quoted speakers, some articles); typing asks for
    more. Never a list of every speaker or article: a store may hold 100k articles."""
    return (
        gr.update(choices=speaker_choices(bot, "", ANY_SPEAKER)),
        gr.update(choices=article_choices(bot, "", ANY_ARTICLE)),
        gr.update(choices=speaker_choices(bot, "")),
    )


def export_answer(files: ExportFiles, answer: Answer | None, fmt: str) -> Any:
    """The answer's download button: the last answer (or quote list) in the chosen format."""
    if answer is None:
        return gr.update(value=None, interactive=False)
    chosen = check_format(fmt or "csv")
    path = files.write(answer_to(chosen, answer), file_name(answer.question, chosen))
    return gr.update(value=str(path), interactive=True)


def _history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Gradio messages (content may be a list of parts) as the bot's role/content turns."""
    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, str) and m.get("role") in {"user", "assistant"}:
            out.append({"role": m["role"], "content": plain_text(content)})
    return out


def _browse(bot: Bot, question: str, speaker: str, doc_id: str) -> tuple[str, list[Hit]]:
    """With filters set, list the matching quotes verbatim instead of asking the chain."""
    hits = bot.quotes(speaker=speaker, q=question, doc_id=doc_id, limit=bot.settings.top_k)
    who = f" by {speaker}" if speaker else ""
    if not hits:
        return f"No quote{who} in the selected articles matches that.", []
    lines = [f"Quotes{who} closest to your question:"]
    lines += [f"[{n}] {h.speaker or h.speaker_mention}: “{h.quote}”" for n, h in enumerate(hits, 1)]
    return "\n\n".join(lines), hits


def respond(
    bot: Bot, question: str, messages: list[dict[str, Any]], speaker: str, doc_id: str
) -> Iterator[tuple[list[dict[str, Any]], str, str, Any]]:
    """Stream the answer into the chat, then fill the sources panel; the last item of each
    step is the answer to keep for its download (a filtered listing is kept as one too)."""
    hits: list[Hit] = []
    try:
        question = bot.check_question(question or "")
        if not bot.index.counts()[0]:
            text, note = EMPTY_INDEX, EMPTY_INDEX
            kept = Answer(question, text, abstained=True)
        elif speaker or doc_id:
            text, hits = _browse(bot, question, speaker or "", doc_id or "")
            note = text
            kept = Answer(question, text, abstained=not hits, quotes=hits)
        else:
            kept = bot.ask(question, _history(messages))
            text, hits = kept.answer, kept.quotes
            note = "No one in these articles said that." if kept.abstained else ""
        texts = {d: bot.document(d)["text"] for d in {h.doc_id for h in hits}}
    except QuoteBotError as e:
        raise gr.Error(str(e)) from e
    # Answers are made of article text: shown escaped, so the chat shows it exactly as stored.
    own = text == EMPTY_INDEX
    messages = [*messages, {"role": "user", "content": markdown_text(question)}]
    shown = ""
    for piece in text_chunks(text):
        shown += piece if own else markdown_text(piece)
        yield [*messages, {"role": "assistant", "content": shown}], "", gr.skip(), gr.skip()
    panel = sources_panel(hits, texts, note)
    yield [*messages, {"role": "assistant", "content": shown}], "", panel, kept


def build_ui(bot: Bot, settings: Settings) -> gr.Blocks:
    """The page: an Ask tab and a Speakers tab; heavy work happens in the Bot, this only lays
    out and forwards."""
    files = ExportFiles()
    with gr.Blocks(title="quotebot", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("## quotebot — who said it, verbatim, and where")
        status = gr.Markdown(elem_id="qb-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask", elem_id="qb-tab-ask"):
                speaker, source = _ask_tab(bot, settings, files)
            with gr.Tab("Speakers", id="speakers", elem_id="qb-tab-speakers"):
                page_speaker = speakers_tab(bot, files)
        demo.load(lambda: _status(bot), None, status, api_visibility="private")
        demo.load(
            lambda: _filter_choices(bot),
            None,
            [speaker, source, page_speaker],
            api_visibility="private",
        )
    return demo


def _picker(label: str, any_label: str, elem_id: str) -> gr.Dropdown:
    """Empty at first (no filter), so typing starts a search rather than editing the text of
    the "Any …" choice, which stays listed to clear the filter again."""
    return gr.Dropdown(
        [(any_label, NO_FILTER)],
        value=None,
        label=label,
        allow_custom_value=True,
        elem_id=elem_id,
    )


def _ask_tab(bot: Bot, settings: Settings, files: ExportFiles) -> tuple[Any, Any]:
    """The conversation, its filters (search-as-you-type pickers), sources and download."""
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Conversation", height=460, elem_id="qb-chat", latex_delimiters=[]
            )
            with gr.Row():
                box = gr.Textbox(
                    placeholder="Who said …?",
                    show_label=False,
                    scale=5,
                    max_length=settings.max_question_chars,
                    elem_id="qb-question",
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="qb-ask")
            gr.Examples(EXAMPLES, inputs=box, label="Example questions")
        with gr.Column(scale=2):
            with gr.Row():
                speaker = _picker("Speaker", ANY_SPEAKER, "qb-speaker")
                source = _picker("Article", ANY_ARTICLE, "qb-source")
            sources = gr.HTML(
                '<div class="qb-empty">Cited quotes appear here.</div>',
                label="Sources",
                elem_id="qb-sources",
            )
            with gr.Row():
                fmt = gr.Radio(FORMATS, value="csv", label="Export the answer as", scale=3)
                button = gr.DownloadButton(
                    "Download answer", interactive=False, scale=1, elem_id="qb-answer-download"
                )
    kept = gr.State(None)
    search_as_you_type(speaker, lambda typed: speaker_choices(bot, typed, ANY_SPEAKER))
    search_as_you_type(source, lambda typed: article_choices(bot, typed, ANY_ARTICLE))

    def run(*args: Any) -> Iterator[Any]:
        yield from respond(bot, *args)

    def export(answer: Answer | None, f: str) -> Any:
        return export_answer(files, answer, f)

    inputs, outputs = [box, chat, speaker, source], [chat, box, sources, kept]
    send.click(run, inputs, outputs, api_name="ask").then(
        export, [kept, fmt], button, api_visibility="private"
    )
    box.submit(run, inputs, outputs, api_visibility="private").then(
        export, [kept, fmt], button, api_visibility="private"
    )
    fmt.change(export, [kept, fmt], button, api_visibility="private")
    return speaker, source
