"""Versioned prompt templates for LLM planners.

Each version is one TOML file in this package (``v1.toml``, ``v2.toml``, ...) with three
parts: ``[system]``, ``[user]`` and ``[repair]`` (the follow-up message after a rejected
program), each a ``text`` string, plus ``[meta]`` with the version id and a description.
Placeholders are ``{{name}}``: ``question``, ``evidence``, ``conversation`` in the user part
and ``error`` in the repair part. Substitution is a single pass, so document text that happens
to contain ``{{question}}`` stays literal.

A template's :attr:`PromptTemplate.hash` is the sha256 of the file's bytes; every
:class:`~finrag.planning.base.Plan` made from it records the version id and that hash, so an
answer can be traced to the exact prompt. Released files are never edited: a change is a new
version.

Loading a version that does not exist raises :class:`~finrag.errors.ConfigError` listing the
known versions.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from finrag.errors import ConfigError
from finrag.planning.base import Turn
from finrag.planning.evidence import sanitize_text

__all__ = [
    "DEFAULT_PROMPT_VERSION",
    "PromptTemplate",
    "list_prompt_versions",
    "load_prompt",
    "parse_prompt",
    "render_conversation",
]

DEFAULT_PROMPT_VERSION = "v2"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_VERSION = re.compile(r"v\d+[a-z0-9_.-]*")
_PARTS = ("system", "user", "repair")
_FIELDS: dict[str, frozenset[str]] = {
    "system": frozenset(),
    "user": frozenset({"question", "evidence", "conversation"}),
    "repair": frozenset({"error"}),
}


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """One prompt version: its parts, description and the sha256 of its file."""

    version: str
    hash: str
    description: str
    system: str
    user: str
    repair: str

    def render_system(self) -> str:
        """The system message."""
        return self.system

    def render_user(self, *, question: str, evidence: str, conversation: str) -> str:
        """The first user message: conversation so far, fenced evidence, the question."""
        values = {"question": question, "evidence": evidence, "conversation": conversation}
        return _fill(self.user, values).strip() + "\n"

    def render_repair(self, error: str) -> str:
        """The follow-up message that sends a rejected program's exact error back."""
        return _fill(self.repair, {"error": error}).strip() + "\n"


def _fill(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _package_files() -> dict[str, bytes]:
    root = resources.files(__name__)
    return {
        entry.name.removesuffix(".toml"): entry.read_bytes()
        for entry in root.iterdir()
        if entry.name.endswith(".toml") and _VERSION.fullmatch(entry.name.removesuffix(".toml"))
    }


def list_prompt_versions() -> list[str]:
    """Known version ids, oldest first (``v1``, ``v2``, ...)."""
    return sorted(_package_files(), key=_version_key)


def _version_key(version: str) -> tuple[int, str]:
    digits = re.match(r"v(\d+)", version)
    return (int(digits.group(1)) if digits else 0, version)


@lru_cache(maxsize=32)
def load_prompt(version: str = DEFAULT_PROMPT_VERSION) -> PromptTemplate:
    """The template called ``version``; unknown versions raise ConfigError listing known ones."""
    files = _package_files()
    data = files.get(version)
    if data is None:
        raise ConfigError(
            f"unknown prompt version {version!r}; known versions: "
            f"{', '.join(list_prompt_versions()) or '(none)'}"
        )
    return parse_prompt(version, data)


def parse_prompt(version: str, data: bytes) -> PromptTemplate:
    """Parse and check one template file's bytes (placeholders, parts, declared version)."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"prompt {version}: not valid UTF-8 TOML: {exc}") from None
    meta = doc.get("meta", {})
    if meta.get("version") != version:
        raise ConfigError(
            f"prompt file {version}.toml declares version {meta.get('version')!r}; they must match"
        )
    parts: dict[str, str] = {}
    for part in _PARTS:
        text = doc.get(part, {}).get("text")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"prompt {version}: missing [{part}] text")
        used = set(_PLACEHOLDER.findall(text))
        unknown = used - _FIELDS[part]
        if unknown:
            raise ConfigError(
                f"prompt {version} [{part}]: unknown placeholder(s) {sorted(unknown)}; "
                f"allowed: {sorted(_FIELDS[part]) or 'none'}"
            )
        parts[part] = text.strip("\n")
    return PromptTemplate(
        version=version,
        hash=hashlib.sha256(data).hexdigest(),
        description=str(meta.get("description", "")),
        **parts,
    )


def render_conversation(turns: Sequence[Turn]) -> str:
    """Earlier turns, fenced by ``<conversation>`` markers, each with its answer's value.

    A follow-up may use an earlier answer as a literal: the value is shown exactly as the
    executor produced it (a percent answer of 14.1% shows value 0.141 and display 14.1%).
    """
    if not turns:
        return "<conversation>\n(this is the first question)\n</conversation>"
    clean = sanitize_text
    lines = ["<conversation>"]
    for number, turn in enumerate(turns, start=1):
        line = f'Turn {number}: question "{clean(turn.question)}"'
        if turn.value is not None:
            line += f"; answer value {turn.value!r}"
            if turn.display:
                line += f" (shown as {clean(turn.display)})"
        else:
            line += "; no answer"
        if turn.program:
            line += f"; program {clean(turn.program)}"
        lines.append(line)
    lines.append("</conversation>")
    return "\n".join(lines)
