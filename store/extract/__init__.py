"""extract: one spaCy parse + rules → Quote (direct, partial, reported), cue, speaker.

``quotes.QuoteExtractor`` runs the pipeline; ``marks`` pairs quote marks, ``direct`` and
``reported`` find statements, ``speaker`` resolves who said them, ``cues`` holds the lexicon.
"""
