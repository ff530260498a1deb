"""Embedders chosen by name.

=========================================  =================================================
name                                       embedder
=========================================  =================================================
``minilm`` (alias ``minilm-l6-v2``)        local all-MiniLM-L6-v2, onnxruntime (default)
``minilm-numpy``                           the same model on the numpy reference path
``hash`` / ``hash:<dim>``                  deterministic feature hashing (tests, demos)
``openai:<model>``                         OpenAI embeddings API, key from ``OPENAI_API_KEY``
``openai-compatible:<model>@<base_url>``   any OpenAI-compatible server (vLLM, Ollama, ...)
=========================================  =================================================

Built-in backends register through :func:`register_embedder`, the same hook a plugin uses.
Keyword options are passed to the backend's constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from finrag.embeddings.base import Embedder
from finrag.errors import ConfigError

__all__ = ["EmbedderFactory", "get_embedder", "known_embedders", "register_embedder"]

EmbedderFactory = Callable[..., Embedder]
"""Called as ``factory(argument, **options)``; argument is the text after ``prefix:`` or ''."""

_FACTORIES: dict[str, tuple[EmbedderFactory, str]] = {}


def register_embedder(prefix: str, factory: EmbedderFactory, usage: str | None = None) -> None:
    """Register ``factory`` for names ``prefix`` and ``prefix:<argument>``."""
    if not prefix or ":" in prefix:
        raise ConfigError(f"embedder prefix must be non-empty without ':', got {prefix!r}")
    _FACTORIES[prefix] = (factory, usage or prefix)


def known_embedders() -> list[str]:
    """Usage strings of every registered name, sorted."""
    return sorted(usage for _, usage in _FACTORIES.values())


def get_embedder(name: str, **options: Any) -> Embedder:
    """Build the embedder called ``name``; unknown names raise :class:`ConfigError`."""
    prefix, _, argument = name.partition(":")
    entry = _FACTORIES.get(prefix.strip().lower())
    if entry is None:
        raise ConfigError(
            f"unknown embedder {name!r}; known embedders: {', '.join(known_embedders())}"
        )
    return entry[0](argument.strip(), **options)


def _no_argument(name: str, argument: str) -> None:
    if argument:
        raise ConfigError(f"embedder {name!r} takes no ':<argument>', got {argument!r}")


def _minilm(argument: str, **options: Any) -> Embedder:
    from finrag.embeddings.minilm import MiniLMEmbedder

    _no_argument("minilm", argument)
    return MiniLMEmbedder(**options)


def _minilm_numpy(argument: str, **options: Any) -> Embedder:
    from finrag.embeddings.minilm import MiniLMEmbedder

    _no_argument("minilm-numpy", argument)
    return MiniLMEmbedder(backend="numpy", **options)


def _hash(argument: str, **options: Any) -> Embedder:
    from finrag.embeddings.hashing import HashEmbedder

    if argument:
        if not argument.isdigit():
            raise ConfigError(f"hash embedder width must be an integer, got {argument!r}")
        options["dim"] = int(argument)
    return HashEmbedder(**options)


def _openai(argument: str, **options: Any) -> Embedder:
    from finrag.embeddings.openai_compat import OpenAIEmbedder

    if not argument:
        raise ConfigError("name the model: 'openai:text-embedding-3-small'")
    return OpenAIEmbedder(argument, **options)


def _openai_compatible(argument: str, **options: Any) -> Embedder:
    from finrag.embeddings.openai_compat import OpenAIEmbedder

    model, at, base_url = argument.partition("@")
    if not (model and at and base_url):
        raise ConfigError(
            f"expected 'openai-compatible:<model>@<base_url>', got {argument!r} "
            "(e.g. 'openai-compatible:nomic-embed-text@http://localhost:11434/v1')"
        )
    options.setdefault("api_key", "unused")  # local servers usually need no key
    options.setdefault("name", f"openai-compatible:{argument}")
    return OpenAIEmbedder(model, base_url=base_url, **options)


register_embedder("minilm", _minilm)
register_embedder("minilm-l6-v2", _minilm)
register_embedder("minilm-numpy", _minilm_numpy)
register_embedder("hash", _hash, "hash[:<dim>]")
register_embedder("openai", _openai, "openai:<model>")
register_embedder("openai-compatible", _openai_compatible, "openai-compatible:<model>@<base_url>")
