"""Reading, cleaning, extraction and indexing: everything below the chain."""
