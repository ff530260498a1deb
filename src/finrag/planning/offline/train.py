"""Training the offline planner from FinQA train and TAT-QA dev (arithmetic questions).

Only ``finqa/train_sample100.json`` and ``tatqa/tatqa_dataset_dev.json`` are read: the FinQA
dev sample is the held-out test and is never used here. Steps:

1. examples: each question with its record's chunks and its gold (sketch, answer, operands);
2. out-of-fold (grouped by record) sketch and operand models give honest probabilities, from
   which candidate programs are generated and labelled by execution against the gold answer;
3. the ranker is trained on those candidates; a second pass over the same folds gives
   cross-validated accuracy and the answered-precision curve the abstention threshold is
   chosen from;
4. final sketch and operand models are fitted on everything and the bundle is saved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from finrag.documents.model import Chunk

from .candidates import operand_features, operands_from
from .core import score
from .linear import LinearModel, TextVectorizer, sparse_matrix
from .listwise import fit_listwise, listwise_probs
from .model import N_EXTRAS, OfflineModel, question_extras
from .records import finqa_chunks, tatqa_chunks
from .supervision import Gold, finqa_gold, matches_gold, tatqa_gold
from .text import QuestionInfo, analyze

__all__ = ["TRAIN_FILES", "Example", "load_examples", "train"]

TRAIN_FILES = ("finqa/train_sample100.json", "tatqa/tatqa_dataset_dev.json")
FINQA_WEIGHT = 3.0
SKETCH_C = 2.0
OPERAND_C = 1.0
RANKER_L2 = 3.0
TARGET_PRECISION = 0.8


@dataclass(frozen=True, slots=True)
class Example:
    """One training question with its evidence and supervision."""

    uid: str
    group: str
    source: str
    info: QuestionInfo
    chunks: tuple[Chunk, ...]
    gold: Gold

    @property
    def weight(self) -> float:
        return FINQA_WEIGHT if self.source == "finqa" else 1.0


def _sha16(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def finqa_examples(path: Path) -> list[Example]:
    """Examples of a FinQA-schema file (every record has one question)."""
    out = []
    for record in json.loads(path.read_text()):
        qa = record["qa"]
        chunks = tuple(finqa_chunks(record))
        gold = finqa_gold(qa["program"], qa.get("exe_ans"))
        rid = str(record.get("id"))
        out.append(Example(rid, rid, "finqa", analyze(qa["question"]), chunks, gold))
    return out


def tatqa_examples(path: Path) -> list[Example]:
    """Examples of a TAT-QA-schema file: its arithmetic questions."""
    out = []
    for context in json.loads(path.read_text()):
        chunks = tuple(tatqa_chunks(context))
        group = str(context["table"]["uid"])
        for q in context["questions"]:
            if q.get("answer_type") != "arithmetic":
                continue
            out.append(
                Example(
                    str(q["uid"]), group, "tatqa", analyze(q["question"]), chunks, tatqa_gold(q)
                )
            )
    return out


def load_examples(data_dir: Path) -> tuple[list[Example], dict[str, str]]:
    """All training examples and the sha256 (16 hex) of each file read."""
    finqa, tatqa = (data_dir / f for f in TRAIN_FILES)
    for f in (finqa, tatqa):
        if not f.exists():
            raise FileNotFoundError(f"training file {f} not found; pass --data-dir")
    hashes = {name: _sha16(data_dir / name) for name in TRAIN_FILES}
    return finqa_examples(finqa) + tatqa_examples(tatqa), hashes


def _folds(examples: Sequence[Example], k: int) -> list[int]:
    """Deterministic fold of each example, by a hash of its group (record)."""
    return [int(hashlib.sha256(e.group.encode()).hexdigest(), 16) % k for e in examples]


def fit_sketch(examples: Sequence[Example]) -> tuple[TextVectorizer, LinearModel]:
    """TF-IDF + counts -> multinomial logistic regression over sketch names."""
    from sklearn.linear_model import LogisticRegression

    vec = TextVectorizer.fit([e.info.text for e in examples])
    rows = []
    for e in examples:
        row = vec.row(e.info.text)
        for i, v in enumerate(question_extras(e.info)):
            if v:
                row[vec.size + i] = v
        rows.append(row)
    x = sparse_matrix(rows, vec.size + N_EXTRAS)
    y = [e.gold.sketch for e in examples]
    clf = LogisticRegression(C=SKETCH_C, max_iter=3000)
    clf.fit(x, y, sample_weight=[e.weight for e in examples])
    return vec, LinearModel.from_sklearn(clf, [str(c) for c in clf.classes_])


def _operand_label(value: float, gold: Gold) -> bool:
    return any(abs(abs(value) - abs(g)) <= 1e-9 + 1e-6 * abs(g) for g in gold.operands)


def fit_operand(examples: Sequence[Example]) -> LinearModel:
    """Logistic regression: is this evidence number one of the gold operands?"""
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for e in examples:
        for op in operands_from(e.chunks, e.info):
            xs.append(operand_features(op, e.info))
            ys.append(int(_operand_label(op.quantity.value, e.gold)))
            ws.append(e.weight)
    clf = LogisticRegression(C=OPERAND_C, max_iter=3000)
    clf.fit(np.array(xs), ys, sample_weight=ws)
    return LinearModel.from_sklearn(clf, ["no", "yes"])


def _sketch_fn(
    vec: TextVectorizer, model: LinearModel
) -> Callable[[QuestionInfo], dict[str, float]]:
    bundle = OfflineModel(vec, model, model, model, 0.0)
    return bundle.sketch_probs


@dataclass
class _Rows:
    x: list[np.ndarray]
    y: list[int]
    w: list[float]
    qid: list[int]


def _candidate_rows(
    examples: Sequence[Example],
    idx: Sequence[int],
    sketch_fn: Callable[[QuestionInfo], dict[str, float]],
    operand: LinearModel,
    rows: _Rows,
) -> None:
    for i in idx:
        e = examples[i]
        scored = score(e.info, e.chunks, sketch_fn(e.info), operand, None)
        for c in scored.candidates:
            rows.x.append(c.features)
            rows.y.append(int(matches_gold(c.value.value, e.gold)))
            rows.w.append(e.weight)
            rows.qid.append(i)


def _fit_ranker(x: np.ndarray, y: np.ndarray, w: np.ndarray, qid: np.ndarray) -> LinearModel:
    theta = fit_listwise(x, y, qid, w, RANKER_L2)
    return LinearModel(("score",), theta[None, :], np.zeros(1))


def _oof_rows(examples: Sequence[Example], folds: list[int], k: int) -> _Rows:
    rows = _Rows([], [], [], [])
    for f in range(k):
        train_idx = [i for i, g in enumerate(folds) if g != f]
        test_idx = [i for i, g in enumerate(folds) if g == f]
        train = [examples[i] for i in train_idx]
        vec, sk = fit_sketch(train)
        op = fit_operand(train)
        _candidate_rows(examples, test_idx, _sketch_fn(vec, sk), op, rows)
    return rows


def _cv_top(rows: _Rows, folds: list[int], n: int, k: int) -> list[tuple[float, bool]]:
    """Per example: the top candidate's out-of-fold ranker probability and correctness."""
    x, y, w, qid = np.vstack(rows.x), np.array(rows.y), np.array(rows.w), np.array(rows.qid)
    row_fold = np.array([folds[q] for q in qid])
    best: list[tuple[float, bool]] = [(0.0, False)] * n
    for f in range(k):
        tr, te = row_fold != f, row_fold == f
        if not te.any() or len(set(y[tr])) < 2:
            continue
        model = _fit_ranker(x[tr], y[tr], w[tr], qid[tr])
        for q in np.unique(qid[te]):
            sel = qid == q
            p = listwise_probs(x[sel] @ model.coef[0])
            i = int(np.argmax(p))
            best[q] = (float(p[i]), bool(y[sel][i]))
    return best


def choose_threshold(top: Sequence[tuple[float, bool]], target: float = TARGET_PRECISION) -> float:
    """The lowest cut-off whose answered precision (out of fold) reaches ``target``."""
    ordered = sorted(top, key=lambda t: -t[0])
    correct = 0
    threshold = 1.0
    for i, (p, ok) in enumerate(ordered, start=1):
        correct += ok
        if correct / i >= target:
            threshold = p
    return float(threshold)


def _summary(
    examples: Sequence[Example], top: Sequence[tuple[float, bool]], threshold: float
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source in ("finqa", "tatqa"):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        answered = [i for i in idx if top[i][0] >= threshold]
        right = sum(top[i][1] for i in idx)
        right_ans = sum(top[i][1] for i in answered)
        out[source] = {
            "n": len(idx),
            "accuracy_no_abstain": round(right / max(len(idx), 1), 4),
            "answered": round(len(answered) / max(len(idx), 1), 4),
            "precision_answered": round(right_ans / max(len(answered), 1), 4),
            "accuracy_with_abstain": round(right_ans / max(len(idx), 1), 4),
        }
    return out


def train(
    data_dir: Path, out_dir: Path | None = None, k: int = 5, log: Callable[[str], None] = print
) -> OfflineModel:
    """Train, cross-validate, calibrate the threshold and save the bundle."""
    examples, hashes = load_examples(data_dir)
    log(f"{len(examples)} training questions ({sum(e.source == 'finqa' for e in examples)} FinQA)")
    folds = _folds(examples, k)
    rows = _oof_rows(examples, folds, k)
    log(f"{len(rows.y)} candidate programs, {sum(rows.y)} correct")
    top = _cv_top(rows, folds, len(examples), k)
    threshold = choose_threshold(top)
    vec, sketch = fit_sketch(examples)
    operand = fit_operand(examples)
    ranker = _fit_ranker(np.vstack(rows.x), np.array(rows.y), np.array(rows.w), np.array(rows.qid))
    cv = _summary(examples, top, threshold)
    log(json.dumps(cv, indent=2))
    metadata = {
        "training_files": hashes,
        "n_questions": len(examples),
        "cv_folds": k,
        "cross_validation": cv,
        "hyperparameters": {
            "finqa_weight": FINQA_WEIGHT,
            "sketch_C": SKETCH_C,
            "operand_C": OPERAND_C,
            "ranker_l2": RANKER_L2,
            "target_precision": TARGET_PRECISION,
        },
    }
    model = OfflineModel(vec, sketch, operand, ranker, threshold, metadata)
    if out_dir is not None:
        version = model.save(out_dir)
        log(f"saved offline model {version} to {out_dir}")
    return model
