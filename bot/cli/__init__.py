"""The quotebot command line: thin Typer commands over the Bot facade.

``app.py`` holds the Typer app, shared options and the error boundary; ``commands.py`` the data
commands, ``browse.py`` quotes (speaker pages), ``evaluation.py`` eval and golden; ``render.py``
prints answers and pages, ``progress.py`` bars.
"""

import sys

from bot.cli import browse, commands, evaluation  # noqa: F401 - importing registers commands
from bot.cli.app import app


def main() -> None:
    """Console entry point."""
    app(commands.ray_optional_address(sys.argv[1:]))
