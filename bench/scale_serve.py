"""The measuring half of bench/scale.py: fresh `python -m bot` processes and a served store.

Every child runs from the worktree (``python -m bot`` imports this tree's code) and is reaped
with ``os.wait4``, whose rusage is that one child's peak RSS.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from polnear import DATA  # noqa: E402
from scale_store import PROBE  # noqa: E402
from whosaid import FRAGMENT_WORDS, INVENTED, gold_quotes, same_speaker  # noqa: E402

from bot.chain.verify import longest_run, words  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROBE_FILE = ROOT / "examples" / "000_16c737f362081588.txt"
PROBE_QUESTION = "Who said North Korean troops would be fair game?"


@dataclass
class Case:
    """A who-said question and what makes its answer right (any edition of the article)."""

    question: str
    speaker: str
    fragment: str
    stem: str


def who_said_cases(seed: int = 7) -> list[Case]:
    """Direct quotes with a named source, shuffled as bench/whosaid.py shuffles them."""
    cases, seen = [], set()
    for split in ("dev", "train"):
        for path in sorted((DATA / split / "text").glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if text in seen:  # an article PolNeAR has twice: the store holds the first
                continue
            seen.add(text)
            for source, content in gold_quotes(path.stem, split):
                fragment = " ".join(re.sub(r"[“”\"]", " ", content).split()[:FRAGMENT_WORDS])
                cases.append(Case(f'Who said "{fragment}"?', source, fragment, path.stem))
    random.Random(seed).shuffle(cases)
    return cases


def correct(case: Case, answer: dict[str, Any]) -> bool:
    """Right speaker, the quote overlaps the fragment, and the article is an edition of it."""
    if answer.get("abstained") or not answer.get("quotes"):
        return False
    top = answer["quotes"][0]
    quote_ok = longest_run(words(case.fragment), words(top["quote"])) >= min(
        6, len(words(case.fragment))
    )
    return same_speaker(case.speaker, top["speaker"]) and quote_ok and top.get("url") == case.stem


def served_questions(cases: list[Case], n: int) -> list[str]:
    """A mix for latency: natural questions (PolNeAR dev golden), who-said, invented quotes."""
    golden = ROOT / "tests" / "golden" / "natural_dev.jsonl"
    natural = [json.loads(line)["question"] for line in golden.read_text().splitlines()]
    mix = natural[: n // 2] + [c.question for c in cases[: n // 2 - n // 10]]
    return mix + [f'Who said "{q}"?' for q in INVENTED[: n - len(mix)]]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEBOT_")}
    return {**env, **extra}


def _reap(proc: subprocess.Popen[bytes], deadline: float) -> tuple[int, int]:
    """Wait for a child (killing it at the deadline); returns (exit code, peak RSS in MB)."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, round(usage.ru_maxrss / 1024)
        if time.monotonic() > deadline:
            proc.kill()
            deadline = float("inf")
        time.sleep(0.01)


def run_child(
    args: list[str], timeout: float, log: Path | None = None, **env: str
) -> dict[str, Any]:
    """A ``python`` child from the worktree: wall seconds, peak RSS, exit code, its output
    (stderr also goes to ``log`` as it comes, for long builds)."""
    with (
        tempfile.TemporaryFile() as out,
        log.open("w+b") if log else tempfile.TemporaryFile() as err,
    ):
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, stdout=out, stderr=err, env=_env(**env)
        )
        code, rss = _reap(proc, time.monotonic() + timeout)
        seconds = time.perf_counter() - t
        out.seek(0), err.seek(0)
        return {
            "s": seconds,
            "rss_mb": rss,
            "code": code,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace")[-2000:],
        }


def fresh_ask(store: Path, case: Case, timeout: float) -> dict[str, Any]:
    """A new ``python -m bot ask`` process: seconds to its answer, peak RSS, right or not."""
    got = run_child(["-m", "bot", "ask", "--store", str(store), "--json", case.question], timeout)
    answer = json.loads(got["stdout"]) if got["code"] == 0 and got["stdout"].strip() else {}
    return {
        "fresh_ask_s": round(got["s"], 2),
        "fresh_ask_rss_mb": got["rss_mb"],
        "fresh_ask_correct": correct(case, answer),
        **({} if got["code"] == 0 else {"fresh_ask_error": got["stderr"][-500:]}),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """``python -m bot serve`` on a free 127.0.0.1 port with an admin token, for one store."""

    def __init__(self, store: Path, log: Path) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.log = log.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--store", str(store), "--port", str(self.port)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=_env(QUOTEBOT_ADMIN_TOKEN=self.token),
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=120)

    def ready(self, timeout: float) -> float:
        """Seconds from spawning the server until ``/healthz`` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self.proc.returncode}); see {self.log.name}"
                )
            try:
                if self.http.get("/healthz", timeout=5).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready after {timeout:.0f} s; see {self.log.name}")

    def ask(self, question: str) -> tuple[float, dict[str, Any]]:
        t = time.perf_counter()
        r = self.http.post("/api/ask", json={"question": question})
        r.raise_for_status()
        return time.perf_counter() - t, r.json()

    def ingest(self, text: str) -> dict[str, Any]:
        article = {"text": text, "title": "Scale probe", "url": PROBE}
        r = self.http.post(
            "/api/ingest",
            json={"articles": [article]},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=600,
        )
        r.raise_for_status()
        return dict(r.json())

    def stop(self) -> int:
        """SIGTERM (uvicorn shuts down cleanly), SIGKILL after 60 s; the server's peak RSS."""
        self.http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, rss = _reap(self.proc, time.monotonic() + 60)
        self.log.close()
        return rss


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p * len(ordered)) - 1)]


def _probe_answered(answer: dict[str, Any]) -> bool:
    quotes = answer.get("quotes") or []
    return bool(quotes) and quotes[0].get("url") == PROBE


def serve_figures(
    store: Path, cases: list[Case], served: int, sample: int, deadline_s: float
) -> dict[str, Any]:
    """Startup, first answer, warm latency, accuracy and ingest-to-answerable of one store."""
    server = Served(store, store.parent / f"serve-{store.name}.log")
    out: dict[str, Any] = {}
    try:
        out["serve_ready_s"] = round(server.ready(deadline_s), 2)
        deadline = time.monotonic() + deadline_s
        first, _ = server.ask(cases[-1].question)
        out["first_answer_s"] = round(first, 3)
        for q in ("Who said the debate was rigged?", "What did Trump say about taxes?"):
            server.ask(q)  # warm-up, not counted
        times = []
        for q in served_questions(cases[sample:], served):
            if time.monotonic() > deadline:
                break
            times.append(server.ask(q)[0] * 1000)
        out |= {
            "served_questions": len(times),
            "served_p50_ms": round(statistics.median(times), 1),
            "served_p95_ms": round(_percentile(times, 0.95), 1),
        }
        out |= _accuracy(server, cases[:sample], deadline)
        out |= _ingest_probe(server)
    finally:
        out["serve_rss_mb"] = server.stop()
    return out


def _accuracy(server: Served, cases: list[Case], deadline: float) -> dict[str, Any]:
    right = asked = 0
    times = []
    for case in cases:
        if time.monotonic() > deadline:
            break
        took, answer = server.ask(case.question)
        times.append(took * 1000)
        right += correct(case, answer)
        asked += 1
    invented = sum(server.ask(f'Who said "{q}"?')[1]["abstained"] for q in INVENTED)
    return {
        "whosaid_questions": asked,
        "whosaid_accuracy": round(right / max(1, asked), 3),
        "whosaid_p50_ms": round(statistics.median(times), 1) if times else None,
        "invented_abstention": round(invented / len(INVENTED), 3),
    }


def _ingest_probe(server: Served) -> dict[str, Any]:
    """POST /api/ingest one new article, then ask until the answer cites it."""
    _, before = server.ask(PROBE_QUESTION)
    t = time.perf_counter()
    report = server.ingest(PROBE_FILE.read_text(encoding="utf-8"))
    ingest_s = time.perf_counter() - t
    answered, polls, first = False, 0, None
    while not answered and time.perf_counter() - t < 300:
        took, answer = server.ask(PROBE_QUESTION)
        first = took if first is None else first
        answered, polls = _probe_answered(answer), polls + 1
    return {
        "probe_answered_before": _probe_answered(before),
        "probe_ingested": report.get("documents", 0),
        "ingest_request_s": round(ingest_s, 2),
        "answerable_after_ingest_s": round(time.perf_counter() - t, 2) if answered else None,
        "answerable_polls": polls,
        "next_answer_s": round(first or 0.0, 3),
        "answer_after_next_s": round(server.ask(PROBE_QUESTION)[0], 3),
    }


def remove_probe(store: Path) -> None:
    """Take the probe article out again, so the store keeps its size for the next run."""
    got = run_child(["-m", "bot", "remove", f"upload:{PROBE}", "--store", str(store)], 600)
    if got["code"] != 0 and "Nothing indexed" not in got["stderr"]:
        print(f"could not remove the probe from {store}: {got['stderr']}", file=sys.stderr)
