"""Golden Q&A files: load and validate ``*.jsonl`` (format in docs/evaluation.md)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from store.errors import InputError
from store.speakers import fold

# "gold" holds where the item came from in annotated data (checked by bench/natural_check.py).
FIELDS = {"id", "question", "speakers", "quote", "source", "answerable", "kind", "note", "gold"}


@dataclass
class GoldenItem:
    """One question with what a right answer must cite (speakers, quote fragment, source)."""

    id: str
    question: str
    speakers: list[str] = field(default_factory=list)
    quote: str = ""
    source: str = ""
    answerable: bool = True
    kind: str = ""
    note: str = ""

    @property
    def group(self) -> str:
        """The breakdown bucket: ``kind``, else "unanswerable" or "answerable"."""
        return self.kind or ("answerable" if self.answerable else "unanswerable")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", [])}


def _text(data: dict[str, Any], key: str, required: bool) -> str:
    value = data.get(key)
    value = "" if value is None else value  # null reads as absent
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    if required and not value.strip():
        raise ValueError(f'"{key}" is required and must not be empty')
    return value.strip()


def parse_item(data: Any) -> GoldenItem:
    """Validate one decoded JSON line; raises ValueError with the reason."""
    if not isinstance(data, dict):
        raise ValueError(f"each line must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValueError(
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(FIELDS))}"
        )
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError('"answerable" must be true or false')
    speakers = data.get("speakers") or []
    if isinstance(speakers, str):
        speakers = [speakers]
    if not isinstance(speakers, list) or not all(isinstance(s, str) for s in speakers):
        raise ValueError('"speakers" must be a list of names (strings)')
    speakers = [s.strip() for s in speakers if s.strip()]
    if answerable and not speakers:
        raise ValueError('"speakers" needs at least one accepted name when "answerable" is true')
    return GoldenItem(
        id=_text(data, "id", True),
        question=_text(data, "question", True),
        speakers=speakers,
        quote=_text(data, "quote", answerable),
        source=_text(data, "source", answerable),
        answerable=answerable,
        kind=_text(data, "kind", False),
        note=_text(data, "note", False),
    )


def load_golden(path: str | Path) -> list[GoldenItem]:
    """All items of a golden JSONL file; a bad line raises InputError "file:line: reason"."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise InputError(f"{path}: the golden file does not exist.") from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: the golden file is not UTF-8 text ({e.reason}).") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read the golden file ({e.strerror}).") from e
    items: list[GoldenItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            item = parse_item(json.loads(line))
        except json.JSONDecodeError as e:
            raise InputError(
                f"{path}:{number}: not valid JSON ({e.msg} at column {e.colno})."
            ) from e
        except ValueError as e:
            raise InputError(f"{path}:{number}: {e}.") from e
        if item.id in seen:
            raise InputError(
                f"{path}:{number}: the id {item.id!r} is already used on line {seen[item.id]}; "
                "ids must be unique so runs can be compared."
            )
        seen[item.id] = number
        items.append(item)
    if not items:
        raise InputError(f"{path}: the golden file has no questions (one JSON object per line).")
    return items


def write_golden(items: list[dict[str, Any]], out: Path) -> None:
    """Write items as JSONL (one object a line, UTF-8, non-ASCII kept readable)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def norm_text(text: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form used to compare quote text."""
    return " ".join(re.findall(r"\w+", fold(text)))
