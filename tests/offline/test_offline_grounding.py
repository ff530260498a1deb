"""Offline planner: data consistency with production, grounding rules, kinds and abstention."""

from __future__ import annotations

import numpy as np
import pytest

from finrag.documents.model import Chunk, ChunkKind
from finrag.dsl.units import Kind, Quantity
from finrag.planning.base import PlanRequest
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.candidates import operands_from, rows_from
from finrag.planning.offline.confidence import CONFIDENCE_FEATURES, confidence_features
from finrag.planning.offline.data import finqa_chunks
from finrag.planning.offline.programs import (
    N_FEATURES,
    SHARED_FEATURES,
    answer_kind_for,
    generate,
    wants_percent,
)
from finrag.planning.offline.sketches import sketch_by_name
from finrag.planning.offline.supervision import tatqa_gold
from finrag.planning.offline.text import CUE_NAMES, QuestionInfo, analyze, cue_flags
from finrag.planning.offline.train import choose_threshold, fit_confidence
from support import record_chunks

pytestmark = pytest.mark.unit

_RECORD = {
    "id": "TEST/2019/page_2.pdf-1",
    "pre_text": ["net revenue grew in 2019 .", "operating income was strong ."],
    "post_text": ["the company had 4500 employees ."],
    "table": [
        ["", "2019", "2018"],
        ["net revenue", "$ 5829", "$ 5735"],
        ["operating income", "$ 911", "$ 850"],
    ],
}


def test_training_chunks_are_the_official_chunker_ids() -> None:
    """FinQA text_j is chunk <doc>:p1:s<j> and table_i is <doc>:t0:r<i>, as eval indexes them."""
    chunks = finqa_chunks(_RECORD)
    doc = chunks[0].doc_id
    ids = {c.id for c in chunks}
    assert {f"{doc}:p1:s0", f"{doc}:p1:s2", f"{doc}:t0:r1", f"{doc}:t0:r2"} <= ids
    assert next(c for c in chunks if c.id == f"{doc}:p1:s2").text.startswith("the company")
    assert next(c for c in chunks if c.id == f"{doc}:t0:r2").row_label == "operating income"


def test_tatqa_supervision_uses_the_official_converter() -> None:
    gold = tatqa_gold({"derivation": "(44.1-40.3)/40.3", "answer": 9.43, "scale": "percent"})
    assert gold.sketch == "pct_change" and gold.percent_answer
    assert {44.1, 40.3} <= set(gold.operands)
    points = tatqa_gold({"derivation": "40.0-38.1", "answer": 1.9, "scale": "percent"})
    assert points.sketch == "diff"
    assert tatqa_gold({"derivation": "(1+2+3)/3", "answer": 2, "scale": ""}).sketch == "avg3"


@pytest.mark.parametrize(
    ("question", "percent"),
    [
        ("what percentage of total revenue came from europe in 2019?", True),
        ("what portion of the debt matures in 2022?", True),
        ("what was the ratio of assets to liabilities?", False),
        ("what was the net revenue in 2019?", False),
    ],
)
def test_percent_questions(question: str, percent: bool) -> None:
    assert wants_percent(analyze(question)) is percent


def test_answer_kind_percent_for_shares_and_margins_only() -> None:
    ratio = sketch_by_name("ratio")
    q = Quantity(0.156, Kind.RATIO)
    assert (
        answer_kind_for(ratio, q, analyze("what was the operating margin in 2019?")) is Kind.PERCENT
    )
    assert answer_kind_for(ratio, q, analyze("what is the ratio of a to b?")) is None or (
        answer_kind_for(ratio, q, analyze("what is the ratio of a to b?")) is Kind.RATIO
    )
    money = Quantity(94.0, Kind.MONEY, currency="USD")
    diff = sketch_by_name("diff")
    assert (
        answer_kind_for(diff, money, analyze("what is the change in gross margin?")) is Kind.MONEY
    )


def test_margin_is_a_ratio_cue() -> None:
    names = ("percent", "change", "share_of", "ratio")
    flags = dict(zip(names, cue_flags("what was the operating margin in 2024?"), strict=False))
    assert flags["ratio"] == 1.0


def test_margin_question_is_not_a_lookup(planner: OfflinePlanner) -> None:
    """The demo failure: "operating margin" was read as one cell times const_1."""
    chunks = finqa_chunks(_RECORD)
    plan = planner.plan(PlanRequest("what was the operating margin in 2019?", chunks))
    if plan.program is not None:
        assert plan.program.steps[0].op.value != "multiply"


def test_year_order_features_follow_the_question() -> None:
    """'ratio of X in 2019 to 2018': A carries the first year named, B the second."""
    chunks = [c for c in finqa_chunks(_RECORD) if c.kind is ChunkKind.TABLE_ROW]
    info = analyze("what was the ratio of net revenue in 2019 to 2018?")
    ops = [o for o in operands_from(chunks, info) if o.label == ("net", "revenue")]
    cands = generate(info, {"ratio": 1.0}, ops, [0.9] * len(ops), [])
    at = SHARED_FEATURES.index("a_year_first")
    right = [c for c in cands if c.fill[0].years == (2019,) and c.fill[1].years == (2018,)]
    wrong = [c for c in cands if c.fill[0].years == (2018,) and c.fill[1].years == (2019,)]
    assert right and wrong
    assert right[0].features[at] == 1.0 and wrong[0].features[at] == 0.0


def test_thresholds_reach_the_target_precision() -> None:
    top = [(0.9, True, "change"), (0.8, True, "change"), (0.7, False, "change")]
    top += [(0.6, True, "change"), (0.5, False, "change"), (0.4, False, "change")]
    assert choose_threshold(top, target=0.75) == pytest.approx(0.6)
    # ties are cut between distinct values only: 21 of 30 at 0.7 would look fine mid-tie
    assert choose_threshold(top * 10, target=0.8) == pytest.approx(0.8)


def _confidence_row(answer: float, runner_up: float, family: str) -> np.ndarray:
    """The confidence features of an answer of probability ``answer`` (two candidates)."""
    row = np.zeros(N_FEATURES)
    return confidence_features([1.0, 2.0], [answer, runner_up], [answer, runner_up], 0, family, row)


def test_confidence_reads_the_margin_and_the_family() -> None:
    """An answer far ahead of the runner-up is right more often than one just ahead, and a
    reliable family more often than a weak one at the same probability: the confidence model
    learns both from out-of-fold answers."""
    rng = np.random.default_rng(0)
    rows, top = [], []
    for _ in range(400):
        family = "change" if rng.random() < 0.5 else "ratio"
        answer = float(rng.uniform(0.2, 0.9))
        runner_up = float(rng.uniform(0.0, 1.0 - answer))
        chance = (0.9 if family == "change" else 0.5) * (0.3 + 0.7 * (answer - runner_up))
        rows.append(_confidence_row(answer, runner_up, family))
        top.append((answer, bool(rng.random() < chance), family))
    model = fit_confidence(np.array(rows), top, [1.0] * len(top))
    conf = model.proba_dense(
        np.array(
            [
                _confidence_row(0.6, 0.05, "change"),
                _confidence_row(0.6, 0.35, "change"),
                _confidence_row(0.6, 0.05, "ratio"),
            ]
        )
    )
    assert conf[0] > conf[1]  # the same probability with a close runner-up is shakier
    assert conf[0] > conf[2]  # the same probability is worth more for the reliable family


def test_confidence_features_name_the_runner_up_answer() -> None:
    """The runner-up is the best *other answer*: a second fill computing the same value is the
    same answer, not a rival."""
    row = np.zeros(N_FEATURES)
    x = confidence_features([0.5, 0.5, 0.25], [0.7, 0.7, 0.2], [0.4, 0.3, 0.2], 0, "ratio", row)
    names = list(CONFIDENCE_FEATURES)
    assert x[names.index("runner_up_logit")] == pytest.approx(np.log(0.2 / 0.8))
    assert x[names.index("margin")] == pytest.approx(0.5)
    assert x[names.index("null_mass")] == pytest.approx(0.1)
    assert x[names.index("family_ratio")] == 1.0


def test_chunk_kinds(planner: OfflinePlanner) -> None:
    chunks: list[Chunk] = finqa_chunks(_RECORD)
    assert {c.kind for c in chunks} == {ChunkKind.TEXT, ChunkKind.TABLE_ROW}
    assert np.isfinite(planner.threshold)


def test_answer_probability_sums_candidates_with_the_same_value() -> None:
    from finrag.planning.offline.listwise import answer_probs

    m = answer_probs(np.array([0.3, 0.2, 0.1]), [0.25, 0.2500000001, 4.0])
    assert m == pytest.approx([0.5, 0.5, 0.1])


@pytest.mark.parametrize(
    ("question", "word", "cue"),
    [
        ("what is the ratio of inventory reserves to accrued compensation?", "inventory", -1.0),
        ("what is the ratio of inventory reserves to accrued compensation?", "accrued", 1.0),
        ("what percentage of total revenue came from europe?", "total", 1.0),
        ("what portion of the debt matures in 2022?", "debt", 1.0),
    ],
)
def test_denominator_cue(question: str, word: str, cue: float) -> None:
    from finrag.planning.offline.text import denominator_cue

    info = analyze(question)
    assert denominator_cue(info, info.tokens.index(word)) == cue


def test_footnote_markers_are_not_operands() -> None:
    record = {**_RECORD, "post_text": ["( 1 ) includes 225116 non-vested shares ."]}
    info = analyze("how many non-vested shares were included?")
    values = [o.quantity.value for o in operands_from(finqa_chunks(record), info)]
    assert 225116.0 in values and 1.0 not in values


def test_year_span_feature() -> None:
    from finrag.planning.offline.model import question_extras

    three = question_extras(analyze("what was the average revenue from 2013 to 2015?"))
    two = question_extras(analyze("what was the average revenue from 2014 to 2015?"))
    assert three[6:9] == [0.0, 1.0, 0.0] and two[6:9] == [1.0, 0.0, 0.0]


def _sentence_record(sentence: str) -> dict[str, object]:
    return {**_RECORD, "pre_text": [sentence], "post_text": []}


def _sentence_chunks(sentence: str) -> list[Chunk]:
    """The text chunks of a record holding only ``sentence``."""
    chunks = finqa_chunks(_sentence_record(sentence))
    return [c for c in chunks if c.kind is not ChunkKind.TABLE_ROW]


def _table_years(table: list[list[str]], question: str) -> dict[float, tuple[int, ...]]:
    """The period years of each value of a record holding only ``table``."""
    chunks = finqa_chunks({**_RECORD, "table": table})
    return {o.quantity.value: o.years for o in operands_from(chunks, analyze(question))}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a list of values with a list of years, "respectively": paired in order
        (
            "cash from operations was $ 1436 million , $ 1310 million and $ 1345 million in "
            "2010 , 2009 and 2008 , respectively .",
            {1436.0: (2010,), 1310.0: (2009,), 1345.0: (2008,)},
        ),
        # otherwise each value takes the nearest year
        (
            "in 2009 revenue was $ 5 million compared to $ 4 million in 2008 .",
            {5.0: (2009,), 4.0: (2008,)},
        ),
        # no year: no period
        ("the company had 4500 employees .", {4500.0: ()}),
        # two "respectively" lists: one value per year, then two per year
        (
            "in 2009 and 2008 , employees bought 29.4 million and 18.9 million shares , "
            "respectively , at prices of $ 3.60 and $ 3.68 , and $ 7.91 and $ 6.07 , "
            "respectively .",
            {29.4: (2009,), 18.9: (2008,), 3.6: (2009,), 3.68: (2009,), 7.91: (2008,)},
        ),
    ],
)
def test_sentence_values_get_their_own_year(sentence: str, expected: dict[float, tuple]) -> None:
    info = analyze("what was it?")
    chunks = _sentence_chunks(sentence)
    years = {o.quantity.value: o.years for o in operands_from(chunks, info)}
    assert {v: years[v] for v in expected} == expected


def test_cell_years_from_short_dates_and_row_labels() -> None:
    question = "what is the roi from 2007 to 2008?"
    years = _table_years([["", "12/07", "12/08"], ["fidelity", "100.0", "70.08"]], question)
    assert years[100.0] == (2007,) and years[70.08] == (2008,)
    schedule = [["", "amount"], ["2014", "$ 156"], ["2015", "$ 120"]]
    years = _table_years(schedule, question)
    assert years[156.0] == (2014,) and years[120.0] == (2015,)


@pytest.mark.parametrize(
    ("question", "families"),
    [
        ("what is the growth rate of revenue from 2013 to 2014?", {"change"}),
        ("what was the roi of an investment in the s&p 500 from 2014 to 2016?", {"change"}),
        ("what was the change in revenue from 2013 to 2014?", {"diff"}),
        ("what was the percentage change in revenue from 2013 to 2014?", {"change"}),
        ("what portion of total revenue came from services?", {"ratio"}),
        ("what is the average revenue from 2013 to 2015?", {"avg", "table"}),
        ("what is the change in basis points of the effective tax rate?", {"diff"}),
        ("what was revenue in 2019?", set()),
    ],
)
def test_rule_families(question: str, families: set[str]) -> None:
    from finrag.planning.offline.text import rule_families

    assert rule_families(question) == families


def test_named_family_joins_the_candidates() -> None:
    info = analyze("what is the growth rate of net revenue from 2018 to 2019?")
    ops = operands_from(finqa_chunks(_RECORD), info)
    # a classifier sure of a difference still lets the named family (change) compete
    probs = {"diff": 0.9, "sum2": 0.05, "ratio": 0.04, "pct_change": 0.01}
    names = {c.sketch.name for c in generate(info, probs, ops, [0.5] * len(ops), [], n_sketches=1)}
    assert names == {"diff", "pct_change"}


def test_the_table_operation_the_wording_names_joins_the_candidates() -> None:
    from finrag.planning.offline.text import table_op_named

    assert table_op_named("what was the minimum amount of equity securities?") == "table_min"
    assert table_op_named("what is the highest initial balance during 2015-2017?") == "table_max"
    assert table_op_named("what was revenue in 2019?") is None
    info = analyze("in millions for 2019 and 2018, what was the lowest net revenue?")
    ops = operands_from(finqa_chunks(_RECORD), info)
    rows = rows_from(finqa_chunks(_RECORD))
    # the classifier prefers the table average; the wording names the minimum
    probs = {"diff": 0.8, "table_average": 0.15, "table_min": 0.05}
    names = {
        c.sketch.name for c in generate(info, probs, ops, [0.5] * len(ops), rows, n_sketches=1)
    }
    assert "table_min" in names and "table_average" not in names


def test_a_year_glued_to_a_percent_sign_is_no_operand() -> None:
    from finrag.documents.model import ParsedNumber
    from finrag.planning.offline.candidates import is_noise

    assert is_noise(ParsedNumber(value=2009, kind=Kind.PERCENT, text="2009 %"), [])
    assert not is_noise(ParsedNumber(value=2009, kind=Kind.PERCENT, text="2,009%"), [])
    assert not is_noise(ParsedNumber(value=23, kind=Kind.PERCENT, text="23%"), [])


def test_equal_operands_keep_their_sketch() -> None:
    from finrag.planning.offline.supervision import finqa_gold

    assert finqa_gold("subtract(62%, 62%)", 0.0).sketch == "diff"
    assert finqa_gold("subtract(5, 5), divide(#0, 5)", 0.0).sketch == "pct_change"
    assert finqa_gold("add(1, 2), add(3, #0)", 6.0).sketch == "sum3"


def test_percent_points_match_finqa_printed_form() -> None:
    from finrag.planning.offline.supervision import finqa_gold, matches_gold

    gold = finqa_gold("subtract(57.3, 59.7)", -2.4)
    assert matches_gold(-0.024, gold, percent_points=True)
    assert not matches_gold(-0.024, gold)


def test_a_range_averages_every_period_it_covers(planner: OfflinePlanner) -> None:
    """ "from 2022 to 2024" names two years but covers three (the demo's question)."""
    record = {
        **_RECORD,
        "table": [
            ["", "2024", "2023", "2022"],
            ["net revenue", "$ 5829", "$ 5735", "$ 5500"],
            ["research and development", "612", "587", "541"],
        ],
    }
    chunks = finqa_chunks(record)
    question = "what was the average research and development expense from 2022 to 2024?"
    # the choice is under test, not the confidence: no abstention
    plan = OfflinePlanner(planner.model, threshold=0.0).plan(PlanRequest(question, chunks))
    assert plan.program is not None, plan.abstain_reason
    from finrag.dsl.executor import execute
    from finrag.planning.evidence import build_context

    assert execute(plan.program, build_context(chunks)).value == pytest.approx(580.0)


def test_row_shape_features_prefer_whole_rows_and_no_skipped_year() -> None:
    record = {
        **_RECORD,
        "table": [
            ["", "2019", "2018", "2017"],
            ["selling expenses", "$ 453", "$ 361", "$ 384"],
        ],
    }
    info = analyze("what is the average selling expenses?")
    ops = operands_from(finqa_chunks(record), info)
    by_year = {o.years[0]: o for o in ops if o.years}
    probs = {"avg2": 0.5, "avg3": 0.5}
    cands = generate(info, probs, ops, [0.9] * len(ops), [])
    cover, skip = SHARED_FEATURES.index("row_cover"), SHARED_FEATURES.index("skips_year")

    def feats(*years: int) -> tuple[float, float]:
        fill = {by_year[y].arg for y in years}
        c = next(c for c in cands if {o.arg for o in c.fill} == fill)
        return c.features[cover], c.features[skip]

    assert feats(2019, 2018, 2017) == (1.0, 0.0)
    assert feats(2019, 2017) == (0.0, 1.0)
    assert feats(2019, 2018) == (0.0, 0.0)


def test_coverage_curve_trades_answers_for_precision() -> None:
    from types import SimpleNamespace

    from finrag.planning.offline.train import coverage_curve

    examples = [SimpleNamespace(source="finqa")] * 4 + [SimpleNamespace(source="tatqa")] * 2
    top = [(0.9, True, "a"), (0.6, True, "b"), (0.5, False, "c"), (0.2, False, "d")]
    top += [(0.95, True, "e"), (0.1, False, "f")]
    curve = coverage_curve(examples, top)  # type: ignore[arg-type]
    finqa = {row["min_confidence"]: row for row in curve["finqa"]}
    assert finqa[0.1] == {"min_confidence": 0.1, "answered": 1.0, "precision": 0.5, "accuracy": 0.5}
    assert finqa[0.55] == {
        "min_confidence": 0.55,
        "answered": 0.5,
        "precision": 1.0,
        "accuracy": 0.5,
    }
    answered = [row["answered"] for row in curve["tatqa"]]
    assert answered == sorted(answered, reverse=True)


def test_out_of_fold_rerankers_never_see_their_fold() -> None:
    from finrag.planning.offline.retrieved import fit_per_fold
    from finrag.retrieval.features import FEATURE_NAMES
    from finrag.retrieval.training import TrainingSet, fit_lambdarank

    rng = np.random.default_rng(0)
    n_questions, per = 30, 6
    x = rng.normal(size=(n_questions * per, len(FEATURE_NAMES)))
    y = np.zeros(n_questions * per, dtype=np.int64)
    y[::per] = 1
    groups = np.repeat(np.arange(n_questions), per)
    doc_groups = groups // 3  # three questions per document
    data = TrainingSet(x, y, groups, doc_groups, doc_ids=[f"d{i}" for i in range(10)])
    fold_of = {f"d{i}": i % 2 for i in range(10)}
    models = fit_per_fold(data, fold_of)
    assert set(models) == {0, 1}
    keep = np.array([fold_of[f"d{d}"] != 1 for d in doc_groups])
    alone = fit_lambdarank(x[keep], y[keep], groups[keep], data.weights()[keep])
    assert np.allclose(models[1].trees.raw(x), alone.trees.raw(x))  # type: ignore[union-attr]
    assert not np.allclose(models[0].trees.raw(x), alone.trees.raw(x))  # type: ignore[union-attr]


def test_month_features_match_abbreviated_row_labels() -> None:
    from finrag.planning.offline.candidates import OPERAND_FEATURES, operand_features

    record = {
        **_RECORD,
        "table": [
            ["period", "total number of shares purchased"],
            ["oct . 1 through oct . 31", "1000"],
            ["nov . 1 through nov . 30", "2325865"],
            ["total", "6678985"],
        ],
    }
    hit, miss = OPERAND_FEATURES.index("month_hit"), OPERAND_FEATURES.index("month_miss")

    def cell_features(rec: dict, info: QuestionInfo) -> dict[float, list[float]]:
        ops = operands_from(finqa_chunks(rec), info)
        return {o.quantity.value: operand_features(o, info) for o in ops if o.source == "table"}

    feats = cell_features(
        record, analyze("what percent of the total shares purchased was purchased in november?")
    )
    assert (feats[2325865.0][hit], feats[2325865.0][miss]) == (1.0, 0.0)
    assert (feats[1000.0][hit], feats[1000.0][miss]) == (0.0, 1.0)
    assert (feats[6678985.0][hit], feats[6678985.0][miss]) == (0.0, 0.0)

    # A month inside a date only places the period; the month asked about is November.
    dated = analyze(
        "for the fourth quarter ended december 31 , 2015 what was the percent of the total "
        "number of shares purchased in november"
    )
    december = {**record, "table": [*record["table"][:3], ["dec . 1 through dec . 31", "7"]]}
    feats = cell_features(december, dated)
    assert (feats[2325865.0][hit], feats[2325865.0][miss]) == (1.0, 0.0)
    assert (feats[7.0][hit], feats[7.0][miss]) == (0.0, 1.0)
    # Without a bare month, the date's month is the one asked about.
    at_date = analyze("what was the number of shares purchased at november 30 , 2015?")
    assert cell_features(record, at_date)[1000.0][miss] == 1.0


def test_ratio_of_different_scales_is_implausible() -> None:
    """1,510 (a count) over $1,954 billion is 7.7e-10: scales differ, not a finding."""
    from finrag.planning.evidence import build_context
    from finrag.planning.offline.planner import _check, _program

    chunks = record_chunks(
        [
            ["", "2022"],
            ["employees", "1,510"],
            ["total assets ( in billions )", "$ 1,954 billion"],
        ],
        record_id="TEST/2022/page_9.pdf-1",
    )
    info = analyze("what was the ratio of employees to total assets in 2022?")
    ops = operands_from(chunks, info)
    cands = generate(info, {"ratio": 1.0}, ops, [0.9] * len(ops), [])
    tiny = [c for c in cands if 0 < abs(c.value.value) < 1e-4]
    assert tiny
    problem = _check(_program(tiny[0], info), tiny[0], info, build_context(chunks))
    assert problem is not None and "implausible" in problem


def test_one_figure_at_two_scales_is_not_two_operands() -> None:
    """66,608 in millions and 66,608 from a table without a stated scale: one figure twice."""
    chunks = record_chunks(
        [["", "2022"], ["total revenues", "66,608"], ["cost of sales", "63,078"]],
        post_text=("Total revenues were $ 66,608 million in 2022 .",),
        record_id="TEST/2022/page_10.pdf-1",
    )
    info = analyze("what were total revenues plus cost of sales in 2022?")
    ops = operands_from(chunks, info)
    assert len({o.quantity.scale for o in ops if o.quantity.value == 66608}) == 2  # the premise
    cands = generate(info, {"sum2": 1.0}, ops, [0.9] * len(ops), [])
    for cand in cands:
        same = [o for o in cand.fill if o.quantity.value == 66608]
        assert len({o.quantity.scale for o in same}) <= 1


@pytest.mark.parametrize(
    ("question", "first_year"),
    [
        ("for the year ending december 31 , 2008 , were payments greater than 2009?", 2008),
        ("did the share of securities rated aaa increase between 2008 and 2009?", 2009),
        ("did the share of securities rated aaa decrease between 2008 and 2009?", 2008),
    ],
)
def test_comparison_order_follows_the_question(question: str, first_year: int) -> None:
    """greater(A, B) asks whether A > B: one line over two years takes A from the question."""
    from finrag.planning.offline.programs import _in_question_order, _match, _OpInfo

    chunks = record_chunks(
        [["", "2009", "2008"], ["payments and share of securities rated aaa", "50", "14"]],
        record_id="TEST/2009/page_4.pdf-1",
    )
    info = analyze(question)
    ops = [o for o in operands_from(chunks, info) if o.source == "table"]
    a, b = (_OpInfo(o, 0.5, *_match(o, info)) for o in ops[:2])
    right, wrong = (a, b) if a.op.years == (first_year,) else (b, a)
    assert _in_question_order(right, wrong, info)
    assert not _in_question_order(wrong, right, info)


def test_a_question_that_sets_nothing_against_anything_compares_one_line() -> None:
    """ "Does Boeing have an improving margin profile?" asks how one line moved: never two
    segments' 2022 margins, nor two different lines; "was A greater than B" may compare both."""
    chunks = record_chunks(
        [
            ["", "2022", "2021"],
            ["commercial operating margins", "15.5%", "12.4%"],
            ["defense operating margins", "-15.3%", "5.8%"],
        ],
        record_id="TEST/2022/page_40.pdf-1",
    )

    def pairs(question: str) -> set[tuple[float, ...]]:
        info = analyze(question)
        ops = operands_from(chunks, info)
        cands = generate(info, {"greater": 1.0}, ops, [0.9] * len(ops), [])
        return {tuple(round(o.quantity.value, 4) for o in c.fill) for c in cands}

    moved = pairs("does boeing have an improving operating margin profile as of 2022?")
    assert (0.155, 0.124) in moved and (-0.153, 0.058) in moved  # each line, 2022 over 2021
    assert not {(0.155, -0.153), (-0.153, 0.155), (0.155, 0.058)} & moved
    against = pairs("was the commercial operating margin greater than the defense margin in 2022?")
    assert (0.155, -0.153) in against


def test_every_catalogue_sketch_keeps_a_floor(planner: OfflinePlanner) -> None:
    """table_sum is in no training program; a question naming it can still be planned with it."""
    probs = planner.model.sketch_probs(analyze("what was the total of the row in 2019?"))
    assert 0 < probs["table_sum"] < 0.01
    assert "lookup" not in probs and "greater" not in probs
    assert planner.model.sketch_probs(analyze("was revenue greater than costs?")) == {
        "greater": 1.0
    }


def test_a_period_of_another_length_is_not_read() -> None:
    """A 10-Q puts "Three Months Ended July 2, 2023" beside "Six Months Ended July 2, 2023": same
    year, same date. A question naming one length reads only its columns (Pfizer's six-month
    revenues had split their confidence with the quarter's and abstained); a column whose
    heading is no period ("Up to 3 months" of age) is never left out."""
    from finrag.planning.offline.candidates import durations

    assert durations("Three Months Ended July 2, 2023") == {3}
    assert durations("the second quarter of fiscal 2024") == {3}
    assert durations("Six Months Ended July 2, 2023") == {6}
    assert durations("Year Ended December 31, 2022") == {12}
    assert durations("What were revenues in 2023?") == frozenset()
    chunks = record_chunks(
        [
            ["( millions )", "three months ended july 2 , 2023", "six months ended july 2 , 2023"],
            ["revenues", "$ 12,734", "$ 31,015"],
        ],
        record_id="TEST/2023/page_8.pdf-1",
    )

    def read(question: str) -> list[float]:
        ops = operands_from(chunks, analyze(question))
        return [o.quantity.value for o in ops if o.source == "table"]

    assert read("What were revenues for the six months ended July 2, 2023?") == [31015.0]
    assert read("What were revenues in the quarter ended July 2, 2023?") == [12734.0]
    assert read("What were revenues in 2023?") == [12734.0, 31015.0]
    aging = record_chunks(
        [["( millions )", "up to 3 months", "3 to 6 months"], ["receivables", "40", "12"]],
        record_id="TEST/2023/page_9.pdf-1",
    )
    ops = operands_from(aging, analyze("What were receivables up to three months of age?"))
    assert [o.quantity.value for o in ops if o.source == "table"] == [40.0, 12.0]


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("What were the monetary assets as at 31 December 2019?", ()),  # a day before its month
        ("What is the change from 1 January 2018 to 1 January 2019?", ()),
        ("What is the difference between September 30, 2018 and July 8, 2018?", ()),
        ("What share of leases are due in more than 5 years?", (5.0,)),
        ("the 3.95% notional swap was how much of the total?", (3.95,)),
        ("what is the return if 1000000 is invested in 2011?", (1000000.0,)),
        ("what was the cumulative return for the five years ended 12/31/10?", ()),
        ("what is 3/4 of revenue?", (3.0, 4.0)),  # no year: a fraction, not a date
    ],
)
def test_question_numbers_leave_out_the_days_of_dates(
    question: str, numbers: tuple[float, ...]
) -> None:
    """Days of dates are no operands, whichever side of the month they are written on; each
    number is looked up where it is written ("8" of "July 8, 2018" is not the "8" of "2018");
    a date written in figures is a date ("12/31/10" is not 12, 31 and 10)."""
    assert analyze(question).numbers == numbers


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("what was the return for the five years ended 12/31/10?", (2010,)),
        ("what was the return from 12/31/2005 to 12/31/2010?", (2005, 2010)),
        # FinQA's extraction glued the day to the year
        ("what was the change in cash from june 302008 to 2009", (2008, 2009)),
        ("as of december 312013 what was the total?", (2013,)),
    ],
)
def test_question_years_from_dates_in_figures_and_glued_days(
    question: str, years: tuple[int, ...]
) -> None:
    assert analyze(question).years == years


def test_a_glued_day_gives_a_finqa_column_its_year() -> None:
    table = [["", "december 31 2013", "december 312012"], ["standby letters", "10.5", "11.5"]]
    years = _table_years(table, "what was the change in standby letters from 2012 to 2013?")
    assert years[10.5] == (2013,) and years[11.5] == (2012,)


def test_one_series_of_a_sentence_shares_its_words() -> None:
    """Two values of one metric listed with "respectively" are named by the same words, as the
    cells of a table row share its label: neither is "mentioned first" in the question, so the
    years decide their order ("the ratio of X for 2016 to 2017" divides 2016 by 2017)."""
    sentence = (
        "derivative receivables reported on the consolidated balance sheets were $ 56.5 "
        "billion and $ 64.1 billion at december 31 , 2017 and 2016 , respectively ."
    )
    chunks = _sentence_chunks(sentence)
    info = analyze("what was the ratio of the derivative receivables for 2016 to 2017")
    ops = {o.quantity.value: o for o in operands_from(chunks, info)}
    assert ops[56.5].years == (2017,) and ops[64.1].years == (2016,)
    assert ops[56.5].label == ops[64.1].label
    assert "derivative" in ops[64.1].label  # the words before the list's first value
    # two metrics per year ("$ 3.60 and $ 3.68, and $ 7.91 and $ 6.07"): no series
    two = (
        "in 2009 and 2008 , the prices were $ 3.60 and $ 3.68 , and $ 7.91 and $ 6.07 , "
        "respectively ."
    )
    chunks = _sentence_chunks(two)
    ops = {o.quantity.value: o for o in operands_from(chunks, info)}
    assert ops[3.6].label != ops[3.68].label


@pytest.mark.parametrize(
    "sentence",
    [
        "goldman sachs 2017 form 10-k 61 .",
        "for a table of the components , see note 8 on page 96 of this annual report .",
        "page 114 annual report .",
        "management 2019s discussion and analysis 114 jpmorgan chase & co./2017 annual report .",
    ],
)
def test_references_to_pages_and_notes_are_no_operands(sentence: str) -> None:
    chunks = _sentence_chunks(sentence)
    assert operands_from(chunks, analyze("what was the total?")) == []


def test_net_of_the_arithmetic_names_no_line() -> None:
    """ "the net difference in sale of systems" asks about Systems, not Net sales; "net" before
    a word of the arithmetic ("net change", "net difference") belongs to the arithmetic."""
    from finrag.planning.offline.text import label_match

    info = analyze("what is the net difference in sale of systems between 2017 and 2019?")
    systems, net_sales = label_match(info, ["systems"]), label_match(info, ["net", "sales"])
    assert systems[0] == net_sales[0] == 0.5  # "net" had given Net sales 0.58 against 0.42
    assert "net" in analyze("what was the net revenue change in 2019?").content


def test_two_named_days_keep_other_columns_of_the_year_out() -> None:
    """ "between the quarters ended January 26 and April 27, 2019" reads those two columns,
    never July 27, 2019, which the year alone does not tell apart."""
    chunks = record_chunks(
        [
            ["", "July 27, 2019", "April 27, 2019", "January 26, 2019"],
            ["net income", "$ 2,206", "$ 3,044", "$ 2,822"],
        ],
        record_id="TEST/2019/page_70.pdf-1",
    )
    info = analyze(
        "what was the change in net income between quarters ended january 26 and april 27, 2019?"
    )
    ops = operands_from(chunks, info)
    values = {
        frozenset(o.quantity.value for o in c.fill)
        for c in generate(info, {"diff": 1.0}, ops, [0.9] * len(ops), [])
    }
    assert frozenset({3044.0, 2822.0}) in values
    assert not any(2206.0 in v for v in values)


def test_a_change_of_rates_is_marked_for_the_ranker() -> None:
    """ "the percentage change in the WACC" is most often a difference in points: the ranker
    sees whether every operand is a percentage (``ops_percent``), per family."""
    chunks = record_chunks(
        [["", "2019", "2018"], ["wacc", "7.5%", "8.1%"], ["revenue", "1,200", "1,100"]],
        record_id="TEST/2019/page_12.pdf-1",
    )
    info = analyze("what was the percentage change in the wacc between 2018 and 2019?")
    ops = operands_from(chunks, info)
    at = SHARED_FEATURES.index("ops_percent")
    flags = {
        frozenset(round(o.quantity.value, 4) for o in c.fill): c.features[at]
        for c in generate(info, {"diff": 0.5, "pct_change": 0.5}, ops, [0.9] * len(ops), [])
    }
    assert flags[frozenset({0.075, 0.081})] == 1.0
    assert flags[frozenset({1200.0, 1100.0})] == 0.0


def test_a_sentence_number_that_states_a_move_is_a_change() -> None:
    """ "increased by $603 million" says how much the expense moved, not what it was: the
    number is read like a cell of a change column (kept from "what was X in 2022?", offered to
    "what was the change"); "increased to" states the level."""
    sentence = (
        "research and development expense increased by $ 603 million in 2022 to $ 2,852 "
        "million , up 27 % from 2021 , and an increase of $ 94 million in the segment ."
    )
    chunks = _sentence_chunks(sentence)
    ops = {o.quantity.value: o for o in operands_from(chunks, analyze("what was it in 2022?"))}
    assert ops[603].comparison and ops[0.27].comparison and ops[94].comparison  # 27 % is 0.27
    assert not ops[2852].comparison
    from finrag.planning.offline.candidates import OPERAND_FEATURES, operand_features

    change = operand_features(ops[603], analyze("what was the change in the expense in 2022?"))
    assert change[OPERAND_FEATURES.index("comparison_col_change_q")] == 1.0


def test_a_change_column_is_of_both_its_years() -> None:
    """American Express prints "Change 2022 vs. 2021" and "Change 2021 vs. 2020" beside the
    years: the second is no 2021 figure, so "the percentage change in net income from 2021 to
    2022" reads 8,060, not the 4,925 of 2020 to 2021 (it had answered 52.6% at 0.89)."""
    from finrag.planning.offline.candidates import OPERAND_FEATURES, operand_features

    chunks = record_chunks(
        [
            ["", "2022", "2021", "Change 2022 vs. 2021", "Change 2021 vs. 2020"],
            ["net income", "7,514", "8,060", "(546)", "4,925"],
        ],
        record_id="TEST/2022/page_44.pdf-1",
    )
    info = analyze("what was the percentage change in net income from 2021 to 2022?")
    ops = {o.quantity.value: o for o in operands_from(chunks, info)}
    assert ops[4925].years == (2021, 2020) and ops[-546].years == (2022, 2021)
    hit = OPERAND_FEATURES.index("period_hit")
    assert operand_features(ops[4925], info)[hit] == 0.0  # 2020 is not asked
    assert operand_features(ops[-546], info)[hit] == 1.0  # the change asked for
    assert operand_features(ops[8060], info)[hit] == 1.0


@pytest.mark.parametrize(
    ("question", "ratio"),
    [
        ("what was diluted earnings per share in 2022?", False),
        ("what were dividends declared per common share in 2014?", False),
        ("what was revenue per employee in 2019?", True),
        ("what was the ratio of debt to equity?", True),
    ],
)
def test_per_share_names_a_metric_not_a_quotient(question: str, ratio: bool) -> None:
    assert cue_flags(question)[CUE_NAMES.index("ratio")] == float(ratio)
