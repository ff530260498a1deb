"""TAT-QA derivations to programs, and the TAT-QA answer rule."""

from __future__ import annotations

import pytest

from finrag.dsl import Kind, Scale, execute, to_string
from finrag.dsl.tatqa import derivation_to_program, tatqa_match, tatqa_value
from finrag.errors import ProgramError

pytestmark = pytest.mark.unit


def value(derivation: str, scale: str = "") -> float:
    return tatqa_value(execute(derivation_to_program(derivation, scale)), scale)


@pytest.mark.parametrize(
    ("derivation", "scale", "answer"),
    [
        ("(831.7+1,571.7+93.8)/691.6", "", 3.61),
        ("2.9-2.8", "million", 0.1),
        ("(44.1-40.3)/40.3", "percent", 9.43),
        ("1,235,173/1,562,474 ", "percent", 79.05),
        ("126 / 67 - 1", "percent", 88.06),
        ("34% + 11% ", "percent", 45),
        ("(2.7%+2.0%+1.0%)/3", "percent", 1.9),
        ("40.0-38.1", "percent", 1.9),
        ("(15.2 + 17.1)/2 ", "percent", 16.15),
        ("(2.5+2.4+3.2)/(2019-2017+1)", "percent", 2.7),
        ("-1.9-(-2.2)", "million", 0.3),
        ("0 - (-42,271)", "thousand", 42271),
        ("[(166+178)/2] - [(57+44)/2]", "million", 121.5),
        ("-114 - (71)", "million", -43),
        ("$5,121 +$(-5,946) + $17,592 ", "thousand", 16767),
        ("$(290.2 + 239.6 + 190.4) ", "million", 720.2),
        ("60.3 million + 32,137 thousand ", "thousand", 92437),
        ("-(3+4)*2", "", -14),
        ("2^3 + 1", "", 9),
        ("42", "", 42),
    ],
)
def test_derivations_reproduce_answers(derivation: str, scale: str, answer: float) -> None:
    assert tatqa_match(value(derivation, scale), answer)


def test_steps_follow_evaluation_order() -> None:
    program = derivation_to_program("(831.7+1,571.7+93.8)/691.6")
    assert to_string(program) == "add(831.7, 1571.7), add(#0, 93.8), divide(#1, 691.6)"
    assert to_string(derivation_to_program("1 + 2 * 3")) == "multiply(2, 3), add(1, #0)"
    assert to_string(derivation_to_program("42")) == "multiply(42, const_1)"


def test_percentage_points_become_percent_literals_and_ratios_stay_plain() -> None:
    points = derivation_to_program("(15.2 + 17.1)/2", "percent")
    assert to_string(points) == "add(15.2%, 17.1%), divide(#0, 2)"
    assert points.answer_kind is Kind.PERCENT
    ratio = derivation_to_program("(44.1-40.3)/40.3", "percent")
    assert to_string(ratio) == "subtract(44.1, 40.3), divide(#0, 40.3)"


def test_money_and_scale_words_feed_the_unit_guard() -> None:
    result = execute(derivation_to_program("60.3 million + 32,137 thousand", "thousand"))
    assert result.quantity.scale is Scale.THOUSANDS and result.value == 92437.0
    assert result.trace[0].operands[0].rescaled_from is Scale.MILLIONS
    ratio = execute(derivation_to_program("$3,313/$39,784", "percent"))
    assert ratio.trace[0].result.kind is Kind.RATIO
    assert tatqa_value(result, "million") == pytest.approx(92.437)


@pytest.mark.parametrize(
    "bad", ["", "(1 + 2", "1 +", "1 2", "abc", "1 + * 2", "[1 + 2)", "4 / (2 - 2)"]
)
def test_bad_derivations_raise_program_error(bad: str) -> None:
    with pytest.raises(ProgramError):
        execute(derivation_to_program(bad))


def test_tatqa_match_rounds_to_two_decimals() -> None:
    assert tatqa_match(13.5449, 13.54)
    assert not tatqa_match(13.546, 13.54)
    assert tatqa_match(1000.0, "1,000")
    assert not tatqa_match(1.0, ["1"])
    assert not tatqa_match(1.0, "n/a")
    assert not tatqa_match(1.0, True)
