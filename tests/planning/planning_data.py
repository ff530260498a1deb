"""Hand-made evidence and programs shared by the planner tests."""

from __future__ import annotations

from finrag.documents.model import Chunk, ChunkCell, ChunkKind, ParsedNumber
from finrag.dsl.units import Kind, Scale

DOC = "dtest"
REVENUE_2019 = f"{DOC}:t0:r3:c1"
REVENUE_2018 = f"{DOC}:t0:r3:c2"
MARGIN_2019 = f"{DOC}:t0:r4:c1"
SENTENCE = f"{DOC}:p3:s0"

GOOD_PROGRAM = {
    "steps": [
        {"op": "subtract", "args": [{"ref": REVENUE_2019}, {"ref": REVENUE_2018}]},
        {"op": "divide", "args": [{"step": 0}, {"ref": REVENUE_2018}]},
    ],
    "answer_kind": "percent",
}
# money + percent: the unit guard refuses it
UNIT_ERROR_PROGRAM = {
    "steps": [{"op": "add", "args": [{"ref": REVENUE_2019}, {"ref": MARGIN_2019}]}],
}


def money(value: float, text: str) -> ParsedNumber:
    return ParsedNumber(
        value=value, kind=Kind.MONEY, scale=Scale.MILLIONS, currency="USD", text=text
    )


def percent(value: float, text: str) -> ParsedNumber:
    return ParsedNumber(value=value, kind=Kind.PERCENT, text=text)


def row(r: int, label: str, cells: list[tuple[str, str, ParsedNumber | None]]) -> Chunk:
    rid = f"{DOC}:t0:r{r}"
    return Chunk(
        id=rid,
        doc_id=DOC,
        kind=ChunkKind.TABLE_ROW,
        text=f"the {label} of ...",
        page=12,
        ordinal=r,
        table_index=0,
        row_index=r,
        row_label=label,
        cells=tuple(
            ChunkCell(id=f"{rid}:c{k}", col=k, header=h, period=h, text=t, number=n)
            for k, (h, t, n) in enumerate(cells, start=1)
        ),
    )


def sentence(cid: str, text: str, page: int = 3) -> Chunk:
    return Chunk(id=cid, doc_id=DOC, kind=ChunkKind.TEXT, text=text, page=page, ordinal=0)


def sample_evidence() -> list[Chunk]:
    """Two table rows (money in millions, percent) and a sentence with three numbers."""
    return [
        row(
            3,
            "net revenue",
            [("2019", "5,829", money(5829, "5,829")), ("2018", "5,735", money(5735, "5,735"))],
        ),
        row(
            4, "operating margin", [("2019", "12.5%", percent(12.5, "12.5%")), ("2018", "—", None)]
        ),
        sentence(SENTENCE, "Net revenue grew 1.6% to $5.8 billion in 2019."),
    ]
