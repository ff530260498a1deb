"""Training the offline planner from FinQA train and TAT-QA dev (arithmetic questions).

Only ``finqa/train_sample100.json`` and ``tatqa/tatqa_dataset_dev.json`` are read: the FinQA
dev sample is the held-out test and is never used here. Steps:

1. examples: each question with its record's chunks and its gold (sketch, answer, operands);
   TAT-QA span questions answered by one number of the evidence ("What was the amount of
   total sales in 2019?" -> "$1,496.5") are *lookup* examples, which supervise only the
   operand model (which number a question asks for);
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
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from finrag.documents.model import Chunk
from finrag.dsl.units import Kind, Quantity

from .candidates import operand_features, operands_from
from .confidence import CONFIDENCE_FEATURES, confidence_features
from .core import operand_matrix, score
from .data import finqa_parts, tatqa_parts
from .linear import LinearModel, TextVectorizer, sparse_matrix
from .listwise import answer_probs, fit_listwise, listwise_probs
from .model import N_EXTRAS, OfflineModel, lookup_softmax, question_extras
from .programs import Candidate
from .retrieved import retrieve_all
from .supervision import Gold, finqa_gold, matches_gold, tatqa_gold, tatqa_lookup_gold
from .text import QuestionInfo, analyze

__all__ = ["TRAIN_FILES", "Example", "load_examples", "train"]

TRAIN_FILES = ("finqa/train_sample100.json", "tatqa/tatqa_dataset_dev.json")
FINQA_WEIGHT = 2.0
SKETCH_C = 2.0
OPERAND_C = 1.0
LOOKUP_C = 1.0
RANKER_L2 = 3.0
TARGET_PRECISION = 0.75
CONFIDENCE_C = 1.0
EVIDENCE_K = 8  # the pipeline's default retrieval depth (Settings.retrieval.k)
# Tenants of the training documents in their own store (``retrieved.py``).
TRAIN_TENANTS = ("offline-train-finqa", "offline-train-tatqa")


@dataclass(frozen=True, slots=True)
class Example:
    """One training question with its evidence and supervision."""

    uid: str
    group: str
    source: str
    info: QuestionInfo
    chunks: tuple[Chunk, ...]
    gold: Gold
    #: A lookup example: supervises the operand model only (not sketches, ranker or CV).
    operand_only: bool = False

    @property
    def weight(self) -> float:
        return FINQA_WEIGHT if self.source == "finqa" else 1.0


def _sha16(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


_Parts = list[tuple[str, Any]]  # (tenant, Document) per example, for retrieval


def finqa_examples(path: Path, parts: _Parts | None = None) -> list[Example]:
    """Examples of a FinQA-schema file (every record has one question), on all its chunks."""
    out = []
    for record in json.loads(path.read_text()):
        qa = record["qa"]
        doc, chunks = finqa_parts(record)
        gold = finqa_gold(qa["program"], qa.get("exe_ans"))
        rid = str(record.get("id"))
        out.append(Example(rid, rid, "finqa", analyze(qa["question"]), tuple(chunks), gold))
        if parts is not None:
            parts.append((TRAIN_TENANTS[0], doc))
    return out


def tatqa_examples(path: Path, parts: _Parts | None = None) -> list[Example]:
    """Examples of a TAT-QA-schema file, on all their chunks: its arithmetic questions, then
    its one-number span questions as operand-only lookups (:func:`tatqa_lookup_gold`)."""
    out: list[tuple[Example, Any]] = []
    lookups: list[tuple[Example, Any]] = []
    for context in json.loads(path.read_text()):
        doc, chunks = tatqa_parts(context)
        group = str(context["table"]["uid"])
        for q in context["questions"]:
            lookup = tatqa_lookup_gold(q)
            if q.get("answer_type") != "arithmetic" and lookup is None:
                continue
            info = analyze(q["question"])
            gold = tatqa_gold(q) if lookup is None else lookup
            e = Example(
                str(q["uid"]), group, "tatqa", info, tuple(chunks), gold, lookup is not None
            )
            (out if lookup is None else lookups).append((e, doc))
    if parts is not None:
        parts.extend((TRAIN_TENANTS[1], doc) for _, doc in out + lookups)
    return [e for e, _ in out + lookups]


def load_examples(
    data_dir: Path,
    evidence_k: int | None = None,
    log: Callable[[str], None] = print,
    folds: int | None = None,
) -> tuple[list[Example], dict[str, str], dict[str, Any]]:
    """All training examples, the sha256 (16 hex) of each file read and the evidence spec.

    With ``evidence_k`` each question's evidence is what the runtime retriever returns (top-k,
    best first), as in production; without it, every chunk of the record in document order.
    With ``folds`` too, each question is reranked by a reranker fitted without its fold
    (``retrieved.fold_rerankers``), so its evidence is as noisy as an unseen question's.
    """
    finqa, tatqa = (data_dir / f for f in TRAIN_FILES)
    for f in (finqa, tatqa):
        if not f.exists():
            raise FileNotFoundError(f"training file {f} not found; pass --data-dir")
    hashes = {name: _sha16(data_dir / name) for name in TRAIN_FILES}
    parts: _Parts = []
    examples = finqa_examples(finqa, parts) + tatqa_examples(tatqa, parts)
    if not evidence_k:
        return examples, hashes, {"evidence": "all chunks of the record"}
    items = [
        (tenant, e.info.text, doc, e.chunks)
        for (tenant, doc), e in zip(parts, examples, strict=True)
    ]
    fold_of = None
    if folds:
        fold = _folds(examples, folds)
        fold_of = {doc.id: f for (_, doc), f in zip(parts, fold, strict=True)}
    retrieved, spec = retrieve_all(items, evidence_k, log, fold_of=fold_of, files=(finqa, tatqa))
    examples = [replace(e, chunks=ev) for e, ev in zip(examples, retrieved, strict=True)]
    return examples, hashes, {"evidence": "retrieved", **spec}


def _folds(examples: Sequence[Example], k: int, salt: str = "") -> list[int]:
    """Deterministic fold of each example, by a hash of its group (record); another ``salt``
    is another assignment (repeated cross-validation)."""
    return [int(hashlib.sha256((salt + e.group).encode()).hexdigest(), 16) % k for e in examples]


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


def _operand_label(quantity: Quantity, gold: Gold) -> bool:
    """Whether an evidence number is one of the gold operands. A percent ("57.3%", held as
    0.573) also matches its printed form, which FinQA programs use (``subtract(57.3, 59.7)``)."""
    forms = [abs(quantity.value)]
    if quantity.kind is Kind.PERCENT:
        forms.append(abs(quantity.value) * 100.0)
    return any(abs(v - abs(g)) <= 1e-9 + 1e-6 * abs(g) for v in forms for g in gold.operands)


def fit_operand(examples: Sequence[Example]) -> LinearModel:
    """Logistic regression: is this evidence number one of the gold operands?"""
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for e in examples:
        for op in operands_from(e.chunks, e.info):
            xs.append(operand_features(op, e.info))
            ys.append(int(_operand_label(op.quantity, e.gold)))
            ws.append(e.weight)
    clf = LogisticRegression(C=OPERAND_C, max_iter=3000)
    clf.fit(np.array(xs), ys, sample_weight=ws)
    return LinearModel.from_sklearn(clf, ["no", "yes"])


_LookupRows = tuple[np.ndarray, np.ndarray, list[float]]


def _lookup_rows(e: Example) -> _LookupRows:
    """Feature rows, labels and values in units of a lookup example's evidence numbers (the
    numbers the planner's lookup chooses from: none written in the question)."""
    ops = [o for o in operands_from(e.chunks, e.info) if o.source != "question"]
    y = np.array([_operand_label(o.quantity, e.gold) for o in ops], dtype=int)
    return operand_matrix(ops, e.info), y, [o.in_units for o in ops]


def fit_lookup(rows: Sequence[_LookupRows]) -> LinearModel | None:
    """Logistic regression: is this evidence number the answer of a one-number question?"""
    from sklearn.linear_model import LogisticRegression

    rows = [r for r in rows if len(r[1])]
    if not rows:
        return None
    y = np.concatenate([r[1] for r in rows])
    if len(set(y.tolist())) < 2:
        return None
    clf = LogisticRegression(C=LOOKUP_C, max_iter=3000)
    clf.fit(np.vstack([r[0] for r in rows]), y)
    return LinearModel.from_sklearn(clf, ["no", "yes"])


def lookup_cv(
    lookups: Sequence[Example], rows: Sequence[_LookupRows], k: int
) -> tuple[float, dict[str, Any]]:
    """The lookup cut-off (lowest with out-of-fold precision >= the target) and figures."""
    folds = _folds(lookups, k)
    top: list[tuple[float, bool]] = []
    for f in range(k):
        model = fit_lookup([r for r, g in zip(rows, folds, strict=True) if g != f])
        if model is None:
            continue
        for (x, y, values), g in zip(rows, folds, strict=True):
            if g != f or not len(y):
                continue
            p = answer_probs(lookup_softmax(model, x), values)  # as the planner scores a value
            best = int(np.argmax(p))
            top.append((float(p[best]), bool(y[best])))
    threshold = choose_threshold(top)
    n = max(len(top), 1)

    def at(cut: float) -> dict[str, float]:
        answered = [ok for p, ok in top if p >= cut]
        return {
            "cutoff": round(cut, 4),
            "answered": round(len(answered) / n, 4),
            "precision_answered": round(sum(answered) / max(len(answered), 1), 4),
        }

    figures = {
        "n": len(top),
        "top1_accuracy": round(sum(ok for _, ok in top) / n, 4),
        "at_threshold": at(threshold),
        "at_0.5": at(0.5),
    }
    return threshold, figures


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
    family: list[str]
    value: list[float]
    desc: list[str] = field(default_factory=list)  # what each candidate computes, for reading


def describe(candidate: Candidate) -> str:
    """One line saying what a candidate computes: ``ratio[operating income | 2024 | 911;
    net revenue | 2024 | 5,829] = 0.1563``."""
    what = "; ".join(o.text for o in candidate.fill) if candidate.fill else ""
    if candidate.row is not None:
        what = candidate.row.text
    return f"{candidate.sketch.name}[{what}] = {candidate.value.value:.6g}"


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
            points = e.source == "finqa" and c.value.kind is Kind.PERCENT
            rows.y.append(int(matches_gold(c.value.value, e.gold, points)))
            rows.w.append(e.weight)
            rows.qid.append(i)
            rows.family.append(c.sketch.family)
            rows.value.append(c.value.value)
            rows.desc.append(describe(c))


def _fit_ranker(x: np.ndarray, y: np.ndarray, w: np.ndarray, qid: np.ndarray) -> LinearModel:
    theta = fit_listwise(x, y, qid, w, RANKER_L2)
    return LinearModel(("score",), theta[None, :], np.zeros(1))


def _oof_rows(
    examples: Sequence[Example],
    folds: list[int],
    k: int,
    lookups: Sequence[Example] = (),
) -> _Rows:
    rows = _Rows([], [], [], [], [], [])
    lookup_folds = _folds(lookups, k)
    for f in range(k):
        train_idx = [i for i, g in enumerate(folds) if g != f]
        test_idx = [i for i, g in enumerate(folds) if g == f]
        train = [examples[i] for i in train_idx]
        vec, sk = fit_sketch(train)
        op = fit_operand(train + [e for e, g in zip(lookups, lookup_folds, strict=True) if g != f])
        _candidate_rows(examples, test_idx, _sketch_fn(vec, sk), op, rows)
    return rows


Top = tuple[float, bool, str]


Ranked = list[tuple[float, bool, str]]


def _cv_top(
    rows: _Rows, folds: list[int], n: int, k: int, orders: dict[int, Ranked] | None = None
) -> tuple[list[Top], np.ndarray]:
    """Per example: the top candidate's out-of-fold answer probability, correctness and family,
    and its confidence features (a zero row for an example without candidates); with
    ``orders``, also every candidate of each example, best first (answer probability, correct,
    description)."""
    x, y, w, qid = np.vstack(rows.x), np.array(rows.y), np.array(rows.w), np.array(rows.qid)
    row_fold = np.array([folds[q] for q in qid])
    best: list[Top] = [(0.0, False, "")] * n
    feats = np.zeros((n, len(CONFIDENCE_FEATURES)))
    for f in range(k):
        tr, te = row_fold != f, row_fold == f
        if not te.any() or len(set(y[tr])) < 2:
            continue
        model = _fit_ranker(x[tr], y[tr], w[tr], qid[tr])
        for q in np.unique(qid[te]):
            at = np.flatnonzero(qid == q)
            p = listwise_probs(x[at] @ model.coef[0])
            values = [rows.value[j] for j in at]
            m = answer_probs(p, values)
            ranked = sorted(range(len(at)), key=lambda j: (-m[j], -p[j], j))
            i = ranked[0]
            family = rows.family[int(at[i])]
            best[q] = (float(m[i]), bool(y[at[i]]), family)
            feats[q] = confidence_features(values, m, p, i, family, x[at[i]])
            if orders is not None:
                orders[int(q)] = [
                    (float(m[j]), bool(y[at[j]]), rows.desc[int(at[j])]) for j in ranked
                ]
    return best, feats


def choose_threshold(
    top: Sequence[Top] | Sequence[tuple[float, bool]],
    weights: Sequence[float] | None = None,
    target: float = TARGET_PRECISION,
) -> float:
    """The lowest cut-off whose (weighted) answered precision out of fold reaches ``target``."""
    w = list(weights) if weights is not None else [1.0] * len(top)
    pairs = [(float(t[0]), bool(t[1])) for t in top]
    ordered = sorted(zip(pairs, w, strict=True), key=lambda t: -t[0][0])
    correct = total = 0.0
    threshold = 1.0
    for i, ((p, ok), wi) in enumerate(ordered):
        correct += wi * ok
        total += wi
        tie = i + 1 < len(ordered) and ordered[i + 1][0][0] == p
        if not tie and correct / total >= target:
            threshold = p
    return float(threshold)


def fit_confidence(x: np.ndarray, top: Sequence[Top], weights: Sequence[float]) -> LinearModel:
    """The confidence model (:mod:`.confidence`): is the chosen answer right, from its
    confidence features ``x``; examples without a candidate (family "") are left out."""
    from sklearn.linear_model import LogisticRegression

    keep = [i for i, t in enumerate(top) if t[2]]
    y = [int(top[i][1]) for i in keep]
    clf = LogisticRegression(C=CONFIDENCE_C, max_iter=3000)
    clf.fit(x[keep], y, sample_weight=[weights[i] for i in keep])
    return LinearModel.from_sklearn(clf, ("no", "yes"))


def _oof_confidence(
    x: np.ndarray, top: Sequence[Top], weights: Sequence[float], folds: Sequence[int], k: int
) -> list[Top]:
    """``top`` with each probability replaced by the confidence model's, fitted without the
    example's fold: the cut-off is chosen on confidences the model did not learn from."""
    out = [(0.0, ok, fam) for _, ok, fam in top]
    for f in range(k):
        train = [i for i in range(len(top)) if folds[i] != f]
        test = [i for i in range(len(top)) if folds[i] == f and top[i][2]]
        if not test:
            continue
        model = fit_confidence(x[train], [top[i] for i in train], [weights[i] for i in train])
        for i, c in zip(test, model.proba_dense(x[test]), strict=True):
            out[i] = (float(c), top[i][1], top[i][2])
    return out


def _at_cutoff(top: Sequence[Top], idx: Sequence[int], cut: float) -> tuple[float, float, float]:
    """(share answered, precision on answered, accuracy) of the questions ``idx`` when those
    with a confidence below ``cut`` abstain."""
    answered = [i for i in idx if top[i][0] >= cut]
    right = sum(top[i][1] for i in answered)
    n = max(len(idx), 1)
    return len(answered) / n, right / max(len(answered), 1), right / n


def _summary(
    examples: Sequence[Example], top: Sequence[Top], threshold: float, oracle: set[int]
) -> dict[str, Any]:
    """Out-of-fold figures per source: always answering, with abstention, and the share of
    questions with at least one correct candidate (the ranker's ceiling)."""
    out: dict[str, Any] = {}
    for source in ("finqa", "tatqa"):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        answered, precision, accuracy = _at_cutoff(top, idx, threshold)
        out[source] = {
            "n": len(idx),
            "candidate_ceiling": round(len(oracle & set(idx)) / max(len(idx), 1), 4),
            "accuracy_no_abstain": round(_at_cutoff(top, idx, -1.0)[2], 4),
            "answered": round(answered, 4),
            "precision_answered": round(precision, 4),
            "accuracy_with_abstain": round(accuracy, 4),
        }
    return out


CURVE_CUTOFFS = tuple(round(0.05 * i, 2) for i in range(2, 20))


def coverage_curve(
    examples: Sequence[Example], top: Sequence[Top]
) -> dict[str, list[dict[str, float]]]:
    """Out-of-fold share answered and precision per source at each cut-off: what a caller of
    ``offline:<min confidence>`` trades (more precise answers, fewer of them)."""
    out: dict[str, list[dict[str, float]]] = {}
    for source in ("finqa", "tatqa"):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        rows: list[dict[str, float]] = []
        for cut in CURVE_CUTOFFS:
            answered, precision, accuracy = _at_cutoff(top, idx, cut)
            rows.append(
                {
                    "min_confidence": cut,
                    "answered": round(answered, 4),
                    "precision": round(precision, 4),
                    "accuracy": round(accuracy, 4),
                }
            )
        out[source] = rows
    return out


@dataclass
class CrossValidation:
    """One fold assignment's out-of-fold results: the candidate rows, each example's top
    candidate (with its confidence out of fold), the confidence model, the cut-off and the
    examples with a correct candidate."""

    rows: _Rows
    top: list[Top]
    confidence: LinearModel
    threshold: float
    oracle: set[int]


def cross_validate(
    examples: Sequence[Example],
    lookups: Sequence[Example],
    k: int,
    salt: str = "",
    orders: dict[int, Ranked] | None = None,
) -> CrossValidation:
    """Out-of-fold candidates, ranking, confidence and cut-off for the fold assignment
    ``salt`` names (the committed one by default); ``orders`` as in :func:`_cv_top`."""
    folds = _folds(examples, k, salt)
    rows = _oof_rows(examples, folds, k, lookups)
    raw, feats = _cv_top(rows, folds, len(examples), k, orders)
    weights = [e.weight for e in examples]
    top = _oof_confidence(feats, raw, weights, folds, k)
    confidence = fit_confidence(feats, raw, weights)
    oracle = {q for q, ok in zip(rows.qid, rows.y, strict=True) if ok}
    return CrossValidation(rows, top, confidence, choose_threshold(top, weights), oracle)


_CV_FIGURES = ("accuracy_no_abstain", "answered", "precision_answered", "accuracy_with_abstain")


def repeated_cv(
    examples: Sequence[Example], lookups: Sequence[Example], k: int, repeats: int
) -> dict[str, Any]:
    """The out-of-fold figures over ``repeats`` fold assignments: per source, the mean and
    standard deviation of each figure. One assignment of 100 FinQA questions moves by several
    points when a handful of TAT-QA questions change (a 5-question retrieval change moved
    always-answering 44% -> 40%), so compare changes on this, not on one assignment."""
    runs: list[dict[str, Any]] = []
    for r in range(repeats):
        cv = cross_validate(examples, lookups, k, salt=f"repeat-{r}:")
        runs.append(_summary(examples, cv.top, cv.threshold, cv.oracle))
    out: dict[str, Any] = {"repeats": repeats}
    for source in ("finqa", "tatqa"):
        out[source] = {
            name: {
                "mean": round(statistics.fmean(run[source][name] for run in runs), 4),
                "sd": round(statistics.pstdev(run[source][name] for run in runs), 4),
            }
            for name in _CV_FIGURES
        }
    return out


def train(
    data_dir: Path,
    out_dir: Path | None = None,
    k: int = 5,
    log: Callable[[str], None] = print,
    evidence_k: int | None = EVIDENCE_K,
    repeats: int = 0,
) -> OfflineModel:
    """Train, cross-validate, fit the confidence model and its cut-off and save the bundle;
    with ``repeats``, also cross-validate over that many other fold assignments (reported, not
    used)."""
    loaded, hashes, evidence = load_examples(data_dir, evidence_k, log, k)
    examples = [e for e in loaded if not e.operand_only]
    lookups = [e for e in loaded if e.operand_only]
    log(
        f"{len(examples)} training questions ({sum(e.source == 'finqa' for e in examples)} "
        f"FinQA), {len(lookups)} TAT-QA lookups for the operand model"
    )
    folded = cross_validate(examples, lookups, k)
    rows, top, threshold = folded.rows, folded.top, folded.threshold
    log(f"{len(rows.y)} candidate programs, {sum(rows.y)} correct")
    vec, sketch = fit_sketch(examples)
    operand = fit_operand(examples + lookups)
    ranker = _fit_ranker(np.vstack(rows.x), np.array(rows.y), np.array(rows.w), np.array(rows.qid))
    cv = _summary(examples, top, threshold, folded.oracle)
    log(json.dumps(cv, indent=2))
    metadata = {
        "training_files": hashes,
        "training_evidence": evidence,
        "n_questions": len(examples),
        "n_operand_lookups": len(lookups),
        "cv_folds": k,
        "cross_validation": cv,
        "coverage_curve": coverage_curve(examples, top),
        "hyperparameters": {
            "finqa_weight": FINQA_WEIGHT,
            "sketch_C": SKETCH_C,
            "operand_C": OPERAND_C,
            "lookup_C": LOOKUP_C,
            "ranker_l2": RANKER_L2,
            "target_precision": TARGET_PRECISION,
            "confidence_C": CONFIDENCE_C,
        },
    }
    if repeats:
        log(f"repeated cross-validation over {repeats} more fold assignments...")
        metadata["cross_validation_repeated"] = repeated_cv(examples, lookups, k, repeats)
        log(json.dumps(metadata["cross_validation_repeated"], indent=2))
    lookup_rows = [_lookup_rows(e) for e in lookups]
    lookup_threshold, lookup_figures = lookup_cv(lookups, lookup_rows, k)
    log(f"lookup model, out of fold: {json.dumps(lookup_figures)}")
    metadata["lookup_cross_validation"] = lookup_figures
    model = OfflineModel(
        vec,
        sketch,
        operand,
        ranker,
        threshold,
        metadata,
        folded.confidence,
        fit_lookup(lookup_rows),
        lookup_threshold,
    )
    if out_dir is not None:
        version = model.save(out_dir)
        log(f"saved offline model {version} to {out_dir}")
    return model
