"""What kind of answer a question asks for: a number, yes or no, or a description.

The offline planner writes arithmetic programs, so it answers numbers and, with ``greater``,
yes/no comparisons of two numbers. "Who are the primary customers?", "What drove the increase
in inventories?" or "Which region had the biggest drop?" ask for words; planning them anyway
returns some number of the evidence with a confident face (FinanceBench's sample had six such
answers). :func:`description_reason` names such questions so the planner abstains and says
why; the evidence is still returned to the user, and an LLM planner can answer from it.
:func:`asks_yes_no` marks questions whose answer must be a comparison.

Only the first sentence is read: FinanceBench-style questions add instructions after it
("If gross margin is not a useful metric for a company like this, then state that ...").
"""

from __future__ import annotations

import re

__all__ = ["asks_yes_no", "compares", "description_reason"]

# "For Pfizer, which region ...", "As of Q2'2023, is Pfizer ...": the lead-in is skipped.
_LEAD_IN = re.compile(r"^(?:for|as of|in|at|during)\s+[^,?]{1,40},\s*", re.IGNORECASE)
_FIRST_SENTENCE = re.compile(r"(?<=[?.!])\s+(?=[A-Z])")
_DESCRIPTION = re.compile(
    r"^(?:who|whom|whose|why|describe|explain|list|name|which|in which|for which|"
    r"what (?:drove|drives|caused|causes|impacted|impacts|explains?|led to|contributed to)|"
    # "What factors drove the hotels sales improvement in the second half?"
    r"what (?:factors?|reasons?|drivers?) (?:drove|drive|drives|caused|cause|causes|led|"
    r"contributed|explain)|"
    r"what (?:are|were|is) (?:the )?(?:primary |main |key |major |principal )?"
    r"(?:geograph\w*|regions?|segments?|customers?|risks?|factors?|drivers?|reasons?|"
    r"products?|categories|markets?|competitors?|businesses)\b"
    # the head noun ends there: "What were customer deposits ...?" asks for an amount
    r"(?!\s+(?!(?:of|in|for|that|which|who|does|do|did|is|are|was|were|has|have|from|to|by|"
    r"as|at|with|and|or|whose|where|when)\b)[a-z])|"
    # "What is included in Service delivery costs?": the items, not an amount
    r"what (?:is|are|was|were) (?:excluded|included) (?:from|in)\b|"
    r"how (?:does|did|do|is|are|was|were|has|have) (?!.*\b(?:much|many)\b))",
    re.IGNORECASE,
)
# At the start, or after a lead-in clause ("for the year ending december 31 , 2008 , were
# principal payments greater than 2009?", "if he gave them away , would his wife have more?").
_YES_NO = re.compile(
    r"(?:^|,\s*)(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b",
    re.IGNORECASE,
)
# "how much of a greater return , in percentage , was gained ...?" asks how much, not whether.
_WH = re.compile(r"^(?:what|how|which|who|whom|whose|why|when|where)\b", re.IGNORECASE)
# "Did wages increase or decrease?" asks which, not whether.
_CHOICE = re.compile(
    r"\b(increase|decrease|rise|fall|grow|decline|improve|worsen|higher|lower|more|less)\w*"
    r"\s+or\s+(increase|decrease|rise|fall|grow|decline|improve|worsen|higher|lower|more|less)",
    re.IGNORECASE,
)


# A yes/no question the numbers can settle compares two of them: "was X greater than Y", "did
# the share increase between 2008 and 2009", "did X outperform Y". "Is Boeing's business subject
# to cyclicality?" or "Has PepsiCo reported any legal battles?" cannot be settled by arithmetic.
_COMPARISON = re.compile(
    r"\b(?:greater|more|less|fewer|higher|lower|larger|smaller|bigger|above|below|better|"
    r"worse|exceed\w*|outperform\w*|underperform\w*|increas\w*|decreas\w*|rise|rose|risen|"
    r"fell|fall\w*|drop\w*|declin\w*|grow\w*|grew|improv\w*|deteriorat\w*)\b",
    re.IGNORECASE,
)


def _head(question: str) -> str:
    """The first sentence, without a lead-in such as "For Pfizer, "."""
    first = _FIRST_SENTENCE.split(question.strip(), maxsplit=1)[0]
    return _LEAD_IN.sub("", first)


def description_reason(question: str) -> str | None:
    """Why the question asks for words rather than a number, or None if it may ask a number."""
    head = _head(question)
    match = _DESCRIPTION.match(head)
    if match is None and asks_yes_no(head) and _CHOICE.search(head):
        match = _CHOICE.search(head)
    if match is None:
        return None
    said = match.group(0).strip().lower()
    return (
        f'the question asks for a description ("{said} ..."), not a number; the offline planner '
        "answers numeric questions only. The evidence found is listed; an LLM planner "
        "(--planner openai:<model>) can answer from it"
    )


def asks_yes_no(question: str) -> bool:
    """A yes/no question ("Was X greater than Y?"): its answer must compare two numbers."""
    head = _head(question)
    return bool(_YES_NO.search(head)) and not _WH.match(head)


def compares(question: str) -> bool:
    """Whether the question's first sentence names a comparison (more, exceed, increase...)."""
    return bool(_COMPARISON.search(_head(question)))
