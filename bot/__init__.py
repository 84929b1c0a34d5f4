"""quotebot: who said what in a collection of news articles, verbatim and cited."""

__version__ = "0.1.0"
