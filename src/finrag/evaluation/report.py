"""Evaluation reports: aggregate per-question results, write JSON + Markdown + a plot, gate.

Reports land in ``outputs/<kind>/`` named ``<date>_<git rev>_<dataset>_<planner>`` so every
run is a versioned file. The regression gate compares a new report's metrics with a baseline
report and fails when a quality metric drops by more than a margin.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finrag.errors import EvaluationError

__all__ = [
    "HIGHER_IS_BETTER",
    "ExampleResult",
    "aggregate",
    "by_sketch",
    "compare_to_baseline",
    "coverage",
    "git_revision",
    "percentile",
    "program_sketch",
    "report_stem",
    "write_report",
]

#: Metrics the regression gate protects (absolute drop allowed = margin).
HIGHER_IS_BETTER = (
    "execution_accuracy",
    "program_accuracy",
    "exact_match",
    "numeric_accuracy",
    "precision_answered",
    "retrieval_recall",
)


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """What one question got."""

    id: str
    question: str
    gold: Any
    predicted: Any
    display: str
    correct: bool
    answered: bool
    program_correct: bool | None
    program: str | None
    gold_program: str | None
    abstain_reason: str | None
    retrieval_hit: float | None
    latency_ms: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    sketch: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    confidence: float | None = None  # the planner's, answered or not
    planner: str = ""  # the planner whose plan this is (in a chain, the one that answered)
    cross_check: str = ""  # "agree", "disagree" or "no reading" under check:<planner>


def program_sketch(program: str | None) -> str:
    """The program's shape: its operations in order (``subtract>divide``); ``none`` if absent."""
    if not program:
        return "none"
    ops = re.findall(r"([a-z_]+)\(", program)
    return ">".join(ops) if ops else "lookup"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def aggregate(dataset: str, results: Sequence[ExampleResult]) -> dict[str, Any]:
    """Headline metrics of a run."""
    n = len(results)
    if n == 0:
        raise EvaluationError("no questions were evaluated; check the dataset file and --limit")
    answered = [r for r in results if r.answered]
    correct = sum(r.correct for r in results)
    latencies = [r.latency_ms for r in results]
    headline = {"finqa": "execution_accuracy", "convfinqa": "execution_accuracy"}.get(
        dataset, "exact_match" if dataset == "tatqa" else "numeric_accuracy"
    )
    metrics: dict[str, Any] = {
        "questions": n,
        headline: correct / n,
        "answered": len(answered),
        "abstention_rate": 1 - len(answered) / n,
        "precision_answered": (sum(r.correct for r in answered) / len(answered))
        if answered
        else 0.0,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "prompt_tokens": sum(r.prompt_tokens for r in results),
        "completion_tokens": sum(r.completion_tokens for r in results),
        "cost_usd": round(sum(r.cost_usd for r in results), 6),
    }
    programs = [r.program_correct for r in results if r.program_correct is not None]
    if programs:
        metrics["program_accuracy"] = sum(programs) / len(results)
    hits = [r.retrieval_hit for r in results if r.retrieval_hit is not None]
    if hits:
        metrics["retrieval_recall"] = statistics.fmean(hits)
    return metrics


def by_sketch(results: Sequence[ExampleResult]) -> dict[str, dict[str, float]]:
    """Accuracy split by the gold program's sketch."""
    groups: dict[str, list[ExampleResult]] = defaultdict(list)
    for r in results:
        groups[r.sketch].append(r)
    return {
        sketch: {
            "n": len(rs),
            "accuracy": sum(r.correct for r in rs) / len(rs),
            "answered": sum(r.answered for r in rs),
        }
        for sketch, rs in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    }


def by_planner(results: Sequence[ExampleResult]) -> dict[str, dict[str, float]] | None:
    """Who answered, when more than one planner did (a chain such as ``offline:0.8|openai:
    gpt-4o``): per planner, the questions its plan was kept for, how many it answered and its
    precision on them. None when every plan came from one planner."""
    groups: dict[str, list[ExampleResult]] = defaultdict(list)
    for r in results:
        groups[r.planner].append(r)
    if len(groups) < 2:
        return None
    out = {}
    for name, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        answered = [r for r in rs if r.answered]
        out[name] = {
            "n": len(rs),
            "answered": len(answered),
            "precision": sum(r.correct for r in answered) / len(answered) if answered else 0.0,
        }
    return out


CROSS_CHECK_OUTCOMES = ("agree", "disagree", "no reading")


def cross_checks(results: Sequence[ExampleResult]) -> dict[str, dict[str, float]] | None:
    """Under ``check:<planner>``: the answered questions by cross-check outcome, with the
    precision of each (how far an answer the offline planner agrees with can be trusted).
    None when no answer was checked."""
    checked = [r for r in results if r.answered and r.cross_check]
    if not checked:
        return None
    out = {}
    for outcome in CROSS_CHECK_OUTCOMES:
        rs = [r for r in checked if r.cross_check == outcome]
        out[outcome] = {
            "answered": len(rs),
            "share": len(rs) / len(checked),
            "precision": sum(r.correct for r in rs) / len(rs) if rs else 0.0,
        }
    return out


COVERAGE_CUTOFFS = tuple(round(0.1 * i, 1) for i in range(1, 10))


def coverage(results: Sequence[ExampleResult]) -> dict[str, Any] | None:
    """What each abstention cut-off would give, read from one run: for every cut-off, the
    questions whose answer has at least that confidence, the share answered, the precision on
    them and the accuracy over all questions; and the AUC of confidence against correctness
    over the answered questions (how well the confidence ranks right above wrong answers).

    Abstentions have no answer to score, so the table is exact above the run's own cut-off:
    run with ``--planner offline:0`` (always answer) to read every cut-off, then choose one
    for ``offline:<cut-off>``. None when the planner gives no confidences."""
    scored = [r for r in results if r.answered and r.confidence is not None]
    if not scored:
        return None
    n = len(results)
    rows = []
    for cut in COVERAGE_CUTOFFS:
        kept = [r for r in scored if r.confidence is not None and r.confidence >= cut]
        right = sum(r.correct for r in kept)
        rows.append(
            {
                "min_confidence": cut,
                "answered": len(kept),
                "answered_share": len(kept) / n,
                "precision": right / len(kept) if kept else 0.0,
                "accuracy": right / n,
            }
        )
    return {"auc": _auc(scored), "cutoffs": rows}


def _auc(scored: Sequence[ExampleResult]) -> float | None:
    """P(a right answer has a higher confidence than a wrong one), ties counting half."""
    right = [r.confidence or 0.0 for r in scored if r.correct]
    wrong = [r.confidence or 0.0 for r in scored if not r.correct]
    if not right or not wrong:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in right for b in wrong)
    return wins / (len(right) * len(wrong))


def git_revision(root: Path | None = None) -> str:
    """Short git revision of the working tree (``+dirty`` when modified), or ``nogit``."""
    cwd = root or Path.cwd()
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "nogit"
    return f"{rev}+dirty" if dirty else rev


def report_stem(dataset: str, planner: str, label: str = "") -> str:
    """``<date>_<rev>_<dataset>[-label]_<planner>`` with filesystem-safe characters."""
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    name = f"{date}_{git_revision()}_{dataset}{'-' + label if label else ''}_{planner}"
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", name)


def write_report(
    out_dir: Path,
    stem: str,
    report: Mapping[str, Any],
    results: Sequence[ExampleResult],
) -> dict[str, Path]:
    """Write ``<stem>.json``, ``<stem>.md`` and ``<stem>.png``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / f"{stem}.json",
        "md": out_dir / f"{stem}.md",
        "png": out_dir / f"{stem}.png",
    }
    full = dict(report)
    full["examples"] = [asdict(r) for r in results]
    paths["json"].write_text(json.dumps(full, indent=2, default=str) + "\n", encoding="utf-8")
    _plot(paths["png"], report, results)
    paths["md"].write_text(_markdown(report, paths["png"].name), encoding="utf-8")
    return paths


def _plot(path: Path, report: Mapping[str, Any], results: Sequence[ExampleResult]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cover = report.get("coverage")
    fig, axes = plt.subplots(1, 3 if cover else 2, figsize=(16 if cover else 11, 4))
    left, right = axes[0], axes[1]
    sketches = list(report.get("by_sketch", {}).items())[:10]
    names = [s for s, _ in sketches]
    left.barh(names[::-1], [v["accuracy"] for _, v in sketches][::-1], color="#3b7dd8")
    left.set_xlim(0, 1)
    left.set_xlabel("accuracy")
    left.set_title("accuracy by gold program sketch")
    right.hist([r.latency_ms for r in results], bins=30, color="#6aa84f")
    right.set_xlabel("latency per question (ms)")
    right.set_title("latency")
    if cover:
        rows = cover["cutoffs"]
        cuts = [r["min_confidence"] for r in rows]
        axes[2].plot(cuts, [r["precision"] for r in rows], "o-", color="#3b7dd8", label="precision")
        axes[2].plot(
            cuts, [r["answered_share"] for r in rows], "s-", color="#999999", label="answered"
        )
        axes[2].plot(cuts, [r["accuracy"] for r in rows], "^-", color="#6aa84f", label="accuracy")
        axes[2].set_ylim(0, 1)
        axes[2].set_xlabel("min confidence")
        auc = cover["auc"]
        axes[2].set_title("by confidence cut-off" + (f" (AUC {auc:.2f})" if auc else ""))
        axes[2].legend(loc="lower left", fontsize=8)
    fig.suptitle(
        f"{report['dataset']} - planner {report['planner']} - n={report['metrics']['questions']}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _markdown(report: Mapping[str, Any], plot_name: str) -> str:
    lines = [
        f"# FinRAG evaluation: {report['dataset']} with planner `{report['planner']}`",
        "",
        f"- date: {report['date']}  revision: `{report['git_rev']}`  scoring: {report['scoring_version']}",
        f"- files: {', '.join(report['files'])}",
        f"- command: `{report.get('command', '')}`",
        "",
        "| metric | value |",
        "| --- | --- |",
    ]
    for key, value in report["metrics"].items():
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} |")
    lines += [
        "",
        "## By gold program sketch",
        "",
        "| sketch | n | accuracy |",
        "| --- | --- | --- |",
    ]
    for sketch, row in report.get("by_sketch", {}).items():
        lines.append(f"| {sketch} | {row['n']} | {row['accuracy']:.3f} |")
    cover = report.get("coverage")
    if cover:
        auc = cover["auc"]
        lines += [
            "",
            "## By confidence cut-off",
            "",
            "Confidence AUC (right vs wrong answers): "
            + (f"{auc:.3f}" if auc is not None else "n/a")
            + ". Exact above the run's own cut-off; run `--planner offline:0` to read all.",
            "",
            "| min confidence | answered | share | precision | accuracy |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in cover["cutoffs"]:
            lines.append(
                f"| {row['min_confidence']:.1f} | {row['answered']} | "
                f"{row['answered_share']:.3f} | {row['precision']:.3f} | {row['accuracy']:.3f} |"
            )
    planners = report.get("by_planner")
    if planners:
        lines += ["", "## By answering planner", "", "| planner | n | answered | precision |"]
        lines.append("| --- | --- | --- | --- |")
        for name, row in planners.items():
            lines.append(f"| `{name}` | {row['n']} | {row['answered']} | {row['precision']:.3f} |")
    checks = report.get("cross_check")
    if checks:
        lines += ["", "## Cross-check (answered questions)", "", "| outcome | answered | share |"]
        lines[-1] += " precision |"
        lines.append("| --- | --- | --- | --- |")
        for outcome, row in checks.items():
            lines.append(
                f"| {outcome} | {row['answered']} | {row['share']:.3f} | {row['precision']:.3f} |"
            )
    lines += ["", f"![plot]({plot_name})", ""]
    return "\n".join(lines)


def compare_to_baseline(
    metrics: Mapping[str, Any], baseline: Mapping[str, Any], margin: float
) -> list[str]:
    """Regressions of ``metrics`` against ``baseline`` beyond ``margin`` (absolute), as messages."""
    base = baseline.get("metrics", baseline)
    failures = []
    for key in HIGHER_IS_BETTER:
        if key in base and key in metrics and metrics[key] < base[key] - margin:
            failures.append(
                f"{key} dropped from {base[key]:.4f} to {metrics[key]:.4f} (margin {margin})"
            )
    return failures
