"""Progress bars on stderr (stdout stays machine-readable)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def ingest_progress(
    console: Console, enabled: bool, total: int | None = None
) -> Iterator[Callable[[int], None]]:
    """A bar of articles indexed out of ``total`` (a counting spinner when it is unknown)."""
    if not enabled:
        yield lambda n: None
        return
    columns = (
        SpinnerColumn(),
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "articles",
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Ingesting", total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def counting_progress(
    console: Console, total: int, label: str, enabled: bool
) -> Iterator[Callable[[int], None]]:
    """A bar for a known number of steps."""
    if not enabled:
        yield lambda n: None
        return
    with Progress(
        SpinnerColumn(),
        label,
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
