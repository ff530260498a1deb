"""The offline planner's model bundle: three small linear models and their metadata.

* ``sketch``: question -> program sketch (TF-IDF word/char n-grams + a few counts; multinomial
  logistic regression);
* ``operand``: (question, evidence number) -> probability that the number is an operand of the
  answer (logistic regression on :data:`~.candidates.OPERAND_FEATURES`);
* ``ranker``: (question, filled sketch) -> probability the program gives the right answer
  (listwise softmax with a "none" option, :mod:`.listwise`, on :data:`~.programs.SHARED_FEATURES`
  per sketch family);
* ``confidence``: (question, chosen answer) -> probability the answer is right (logistic
  regression on :data:`~.confidence.CONFIDENCE_FEATURES`: the answer's and the runner-up's
  ranker probabilities, the family, how the question names the operands); its output is the
  plan's confidence and ``threshold`` the abstention cut-off;
* ``lookup``: (question, evidence number) -> is this number the answer to a "what was X in
  2019?" question (logistic regression on the operand features, trained on TAT-QA's
  one-number span answers; a softmax over the question's numbers gives the lookup's
  confidence, and ``lookup_threshold`` its out-of-fold cut-off).

Files (committed under ``artifacts/``): ``offline_model.npz`` (arrays only, loaded with
``allow_pickle=False``) and ``metadata.json`` (version, training data hashes, figures).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finrag.errors import ConfigError

from .confidence import CONFIDENCE_FEATURES, confidence_features
from .core import Scored
from .intent import asks_yes_no
from .linear import LinearModel, TextVectorizer
from .sketches import SKETCHES
from .text import CUE_NAMES, QuestionInfo, cue_flags

__all__ = [
    "ARTIFACT_DIR",
    "FORMAT_VERSION",
    "OfflineModel",
    "load_model",
    "lookup_scores",
    "lookup_softmax",
    "question_extras",
]

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
FORMAT_VERSION = 6  # 6: the operand feature header_unnamed (session 13); 5: ops_percent
_NPZ = "offline_model.npz"
_META = "metadata.json"
N_EXTRAS = 9 + len(CUE_NAMES)
COMPARISON = "greater"  # the sketch of a yes/no answer
# every sketch but the lookup (planned apart), and the floor of those training never used
_CATALOGUE = tuple(s.name for s in SKETCHES if s.name != "lookup")
_UNSEEN_SKETCH = 1e-4


def question_extras(info: QuestionInfo) -> list[float]:
    """Counts the n-grams cannot see well: how many years and numbers the question names, and
    how many years a range spans ("average from 2013 to 2015" averages three values)."""
    n = len(info.years)
    counts = [float(n == 0), float(n == 1), float(n == 2), float(n >= 3), float(bool(info.numbers))]
    span = (max(info.years) - min(info.years) + 1) if n >= 2 else 0
    spans = [float(span == 2), float(span == 3), float(span >= 4)]
    return [*counts, 1.0, *spans, *cue_flags(info.text)]


def lookup_scores(model: LinearModel, x: np.ndarray) -> np.ndarray:
    """The lookup model's raw scores (logits) of candidate numbers (rows of operand features)."""
    return np.asarray(x @ model.coef[0] + model.intercept[0])


def lookup_softmax(model: LinearModel, x: np.ndarray) -> np.ndarray:
    """Softmax of the lookup model's scores over one question's candidate numbers."""
    if len(x) == 0:
        return np.zeros(0)
    return softmax(lookup_scores(model, x))


def softmax(z: np.ndarray) -> np.ndarray:
    """``exp(z)`` normalised over its entries (stable for large scores)."""
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


@dataclass
class OfflineModel:
    """Everything the planner loads at start-up."""

    vectorizer: TextVectorizer
    sketch: LinearModel
    operand: LinearModel
    ranker: LinearModel
    threshold: float
    metadata: dict[str, Any] = field(default_factory=dict)
    confidence: LinearModel | None = None
    lookup: LinearModel | None = None
    lookup_threshold: float = 1.0

    def lookup_scores(self, x: np.ndarray) -> np.ndarray:
        """The lookup model's raw scores (logits) of candidate numbers; zeros without one."""
        if self.lookup is None or len(x) == 0:
            return np.zeros(len(x))
        return lookup_scores(self.lookup, x)

    def lookup_probs(self, x: np.ndarray) -> np.ndarray:
        """How likely each of one question's candidate numbers (rows of operand features) is
        the single number it asks for (:func:`lookup_softmax`; zeros without a lookup model)."""
        return lookup_softmax(self.lookup, x) if self.lookup is not None else np.zeros(len(x))

    def confidence_of(self, scored: Scored, i: int) -> float:
        """The chance that candidate ``i`` of ``scored`` answers its question right (the
        confidence model; the ranker's answer probability when there is none)."""
        if self.confidence is None:
            return scored.probs[i]
        cand = scored.candidates[i]
        x = confidence_features(
            [c.value.value for c in scored.candidates],
            scored.probs,
            scored.candidate_probs,
            i,
            cand.sketch.family,
            cand.features,
        )
        return float(self.confidence.proba_dense(x[None, :])[0])

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    def sketch_row(self, info: QuestionInfo) -> dict[int, float]:
        """The classifier's sparse input for one question."""
        row = self.vectorizer.row(info.text)
        base = self.vectorizer.size
        for i, v in enumerate(question_extras(info)):
            if v:
                row[base + i] = v
        return row

    def sketch_probs(self, info: QuestionInfo) -> dict[str, float]:
        """The classifier's sketch distribution, conditioned on the answer type the question
        asks for: a yes/no question is answered by a comparison (``greater`` only), any other
        question by a number (no ``greater``)."""
        probs = self.sketch.proba_sparse(self.sketch_row(info))
        out = {c: float(p) for c, p in zip(self.sketch.classes, probs, strict=True)}
        # a sketch of the catalogue the training questions never used (table_sum) keeps a
        # floor, so a question whose wording names it ("total") can still be planned with it
        for name in _CATALOGUE:
            out.setdefault(name, _UNSEEN_SKETCH)
        if asks_yes_no(info.text):
            return {COMPARISON: 1.0}
        out.pop(COMPARISON, None)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "vocab": self.vectorizer.terms(),
            "idf": self.vectorizer.idf.astype(np.float32),
            "sketch_classes": np.array(self.sketch.classes, dtype=np.str_),
            "sketch_coef": self.sketch.coef.astype(np.float32),
            "sketch_intercept": self.sketch.intercept.astype(np.float32),
            "operand_coef": self.operand.coef.astype(np.float32),
            "operand_intercept": self.operand.intercept.astype(np.float32),
            "ranker_coef": self.ranker.coef.astype(np.float32),
            "ranker_intercept": self.ranker.intercept.astype(np.float32),
            "threshold": np.array([self.threshold], dtype=np.float32),
            **(
                {
                    "confidence_coef": self.confidence.coef.astype(np.float32),
                    "confidence_intercept": self.confidence.intercept.astype(np.float32),
                }
                if self.confidence is not None
                else {}
            ),
            **(
                {
                    "lookup_coef": self.lookup.coef.astype(np.float32),
                    "lookup_intercept": self.lookup.intercept.astype(np.float32),
                    "lookup_threshold": np.array([self.lookup_threshold], dtype=np.float32),
                }
                if self.lookup is not None
                else {}
            ),
        }

    def save(self, directory: Path = ARTIFACT_DIR) -> str:
        """Write the bundle; the version is derived from the arrays' content hash."""
        directory.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez_compressed(buf, **self.arrays())  # type: ignore[arg-type]
        payload = buf.getvalue()
        digest = hashlib.sha256(b"".join(a.tobytes() for a in self.arrays().values())).hexdigest()
        version = f"{FORMAT_VERSION}.{digest[:10]}"
        self.metadata["version"] = version
        self.metadata["format"] = FORMAT_VERSION
        self.metadata["threshold"] = round(self.threshold, 4)
        self.metadata["lookup_threshold"] = round(self.lookup_threshold, 4)
        if self.confidence is not None:
            self.metadata["confidence_model"] = {
                "intercept": round(float(self.confidence.intercept[0]), 4),
                **{
                    name: round(float(c), 4)
                    for name, c in zip(CONFIDENCE_FEATURES, self.confidence.coef[0], strict=True)
                },
            }
        (directory / _NPZ).write_bytes(payload)
        (directory / _META).write_text(json.dumps(self.metadata, indent=2, sort_keys=True) + "\n")
        return version


def _missing(directory: Path) -> ConfigError:
    return ConfigError(
        f"offline planner model not found in {directory} (expected {_NPZ} and {_META}); "
        "build it with `finrag train offline` (needs the FinQA/TAT-QA training files)"
    )


def load_model(directory: Path = ARTIFACT_DIR) -> OfflineModel:
    """Load the committed bundle; a missing or foreign file is a ConfigError saying what to run."""
    npz, meta = directory / _NPZ, directory / _META
    if not npz.exists() or not meta.exists():
        raise _missing(directory)
    metadata = json.loads(meta.read_text())
    if metadata.get("format") != FORMAT_VERSION:
        raise ConfigError(
            f"offline model in {directory} has format {metadata.get('format')!r}, this code "
            f"reads format {FORMAT_VERSION}; rebuild it with `finrag train offline`"
        )
    with np.load(npz, allow_pickle=False) as data:
        vocab = {str(t): i for i, t in enumerate(data["vocab"])}
        vectorizer = TextVectorizer(vocab, data["idf"].astype(np.float64))
        sketch = LinearModel(
            tuple(str(c) for c in data["sketch_classes"]),
            data["sketch_coef"].astype(np.float64),
            data["sketch_intercept"].astype(np.float64),
        )
        operand = LinearModel(
            ("no", "yes"),
            data["operand_coef"].astype(np.float64),
            data["operand_intercept"].astype(np.float64),
        )
        ranker = LinearModel(
            ("score",),
            data["ranker_coef"].astype(np.float64),
            data["ranker_intercept"].astype(np.float64),
        )
        threshold = float(data["threshold"][0])
        lookup = LinearModel(
            ("no", "yes"),
            data["lookup_coef"].astype(np.float64),
            data["lookup_intercept"].astype(np.float64),
        )
        lookup_threshold = float(data["lookup_threshold"][0])
        confidence = LinearModel(
            ("no", "yes"),
            data["confidence_coef"].astype(np.float64),
            data["confidence_intercept"].astype(np.float64),
        )
    return OfflineModel(
        vectorizer,
        sketch,
        operand,
        ranker,
        threshold,
        metadata,
        confidence,
        lookup,
        lookup_threshold,
    )
