"""index: Chroma as the one store — quote records, article texts, a generation counter.

``QuoteIndex`` (chroma.py) reads and writes the collections, ``records.py`` flattens quotes into
records and back, ``IndexWriter`` (writer.py) stores batches on a background thread.
"""

from store.index.chroma import SCHEMA, QuoteIndex, connect
from store.index.lexical import Filter
from store.index.reads import PAGE, Stored, pages
from store.index.records import Record, hit_from, paragraph, quote_record, source_file
from store.index.writer import IndexWriter

__all__ = [
    "PAGE",
    "SCHEMA",
    "Filter",
    "IndexWriter",
    "QuoteIndex",
    "Record",
    "Stored",
    "connect",
    "hit_from",
    "pages",
    "paragraph",
    "quote_record",
    "source_file",
]
