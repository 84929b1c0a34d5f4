"""`quotebot ingest --ray`: a real Ray instance (2 CPUs, small object store) and a real
`chroma run` on 127.0.0.1; the store it builds is the one a single process builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_records import mixed_corpus, pending_markers, records
from test_server_mode import _free_port, _stop, _wait_http

from bot.core import Bot
from bot.eval.golden import load_golden
from bot.settings import Settings
from store.index.names import name_key

pytest.importorskip("ray", reason="`make install` installs the ray extra; this runs in CI")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "tests" / "golden" / "seeds.jsonl"
# Ray on this machine only: every Ray process binds 127.0.0.1 (Ray's switch for one machine);
# no token between the test's own processes on loopback.
LOOPBACK = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "disabled",
}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-ray")
    args = ["run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [str(BIN / "chroma"), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/api/v2/heartbeat", proc, timeout=60)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """A one-node Ray cluster (`ray start --head --block`, 2 CPUs) that the CLI joins."""
    port = _free_port()
    cmd = [str(BIN / "ray"), "start", "--head", "--block", "--port", str(port)]
    cmd += ["--num-cpus", "2", "--object-store-memory", str(200 * 1024**2)]
    cmd += ["--include-dashboard", "false", "--disable-usage-stats"]
    env = {**os.environ, **LOOPBACK}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"127.0.0.1:{port}"
    try:
        status = [str(BIN / "ray"), "status", "--address", address]
        for _ in range(60):
            assert proc.poll() is None, "ray start exited"
            if subprocess.run(status, env=env, capture_output=True).returncode == 0:
                break
        yield address
    finally:
        _stop(proc)  # --block: stopping it stops the Ray processes it started


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Bot]:
    """The mixed corpus ingested by one process into an embedded store."""
    root = tmp_path_factory.mktemp("single")
    docs = mixed_corpus(root)
    bot = Bot.build(Settings(store=root / "store", batch_size=2))
    return docs, bot.ingest([docs]).to_dict(), bot


def _ingest(docs: Path, chroma_url: str, *ray: str, **env: str) -> dict:
    cmd = [sys.executable, "-m", "bot", "ingest", "--json", "--chroma-url", chroma_url]
    proc = subprocess.run(
        [*cmd, "--workers", "2", str(docs), *ray],
        cwd=ROOT,
        env={**os.environ, **LOOPBACK, "QUOTEBOT_BATCH_SIZE": "2", **env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout))


def _answers(bot: Bot) -> list[tuple[bool, list[tuple[str, int, int, str]]]]:
    """The seeds' answers: abstained or not, and the top quote (article, offsets, speaker). The
    speaker is compared by key: concurrent workers update the speaker table read-modify-write,
    so which spelling of one name is shown ("U.S." / "US") may differ (docs/scaling.md)."""
    out = []
    for item in load_golden(SEEDS):
        answer = bot.ask(item.question)
        top = [(q.doc_id, q.start, q.end, name_key(q.speaker)) for q in answer.quotes[:1]]
        out.append((answer.abstained, top))
    return out


def test_ray_store_is_the_single_process_store(
    single: tuple[Path, dict, Bot], chroma_url: str, ray_address: str
) -> None:
    docs, report, one = single
    got = _ingest(docs, chroma_url, "--ray", ray_address)
    assert got == report  # same counts, same errors in the same order
    bot = Bot.build(Settings(chroma_url=chroma_url))
    assert records(bot.index) == records(one.index)  # ids, texts, metadata
    assert _answers(bot) == _answers(one)
    again = _ingest(docs, chroma_url, "--ray", ray_address)
    assert (again["documents"], again["quotes"], again["skipped"]) == (0, 0, 8)
    assert bot.index.counts() == one.index.counts()


def test_a_worker_killed_mid_write_is_redone(
    single: tuple[Path, dict, Bot], chroma_url: str, tmp_path: Path
) -> None:
    """The worker writing its 2nd batch dies after its quote records and before its article
    records; Ray restarts it and retries the batch: the job completes, nothing is duplicated,
    nothing is left half-written. (Plain `--ray`: a local Ray instance of 2 CPUs.)"""
    docs, report, one = single
    fired = tmp_path / "killed"
    env = {"QUOTEBOT_COLLECTION_PREFIX": "killed", "QUOTEBOT_TEST_KILL_BATCH": f"2:{fired}"}
    got = _ingest(docs, chroma_url, "--ray", **env)
    assert fired.exists(), "the fault was not injected"
    killed = fired.read_text().split()
    assert killed and set(killed) <= set(records(one.index)["articles"])
    assert got == report
    bot = Bot.build(Settings(chroma_url=chroma_url, collection_prefix="killed"))
    assert records(bot.index) == records(one.index)
    assert pending_markers(bot.index) == []
    for doc_id, (_, meta) in records(bot.index)["articles"].items():
        quotes = bot.index.quotes.get(where={"doc_id": doc_id}, include=[])["ids"]
        assert len(quotes) == meta["quotes"], doc_id


def test_ray_needs_a_chroma_server(tmp_path: Path) -> None:
    from store.errors import ConfigError

    with pytest.raises(ConfigError, match="--chroma-url http://HOST:8000"):
        Bot.build(Settings(store=tmp_path / "store")).ingest_ray([tmp_path])


def test_ray_address_is_optional_on_the_command_line() -> None:
    from bot.cli.commands import ray_optional_address

    assert ray_optional_address(["ingest", "--ray", "docs/"]) == [
        "ingest",
        "--ray",
        "local",
        "docs/",
    ]
    assert ray_optional_address(["ingest", "docs/", "--ray"])[-1] == "local"
    joined = ["ingest", "--ray", "ray://head:10001", "docs/"]
    assert ray_optional_address(joined) == joined
    assert ray_optional_address(["ingest", "--ray", "head:6379", "d"])[2] == "head:6379"
