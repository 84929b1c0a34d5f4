"""A small error family; every message says what went wrong and how to fix it."""

from __future__ import annotations


class QuoteBotError(Exception):
    """Base class: anything quotebot reports to a user as a sentence, never a traceback."""


class InputError(QuoteBotError):
    """A file or request quotebot cannot read (bad encoding, empty, binary, malformed JSON…)."""


class StoreError(QuoteBotError):
    """The index cannot be opened, reached or written."""


class NotFoundError(QuoteBotError):
    """A document, speaker or quote id that is not in the index."""


class ConfigError(QuoteBotError):
    """Settings that cannot work together (e.g. an LLM provider without a model)."""
