"""index: Chroma as the one store — quote records, article texts, a generation counter.

``QuoteIndex`` (chroma.py) reads and writes the collections, ``records.py`` flattens quotes into
records and back, ``IndexWriter`` (writer.py) stores batches on a background thread.
"""

from store.index.chroma import PAGE, SCHEMA, QuoteIndex, connect, pages
from store.index.records import Record, hit_from, paragraph, quote_record, source_file
from store.index.writer import IndexWriter

__all__ = [
    "PAGE",
    "SCHEMA",
    "IndexWriter",
    "QuoteIndex",
    "Record",
    "connect",
    "hit_from",
    "pages",
    "paragraph",
    "quote_record",
    "source_file",
]
