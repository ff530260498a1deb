"""The six FinanceBench filings and the FinQA/TAT-QA samples from ../shared/data.

The filings are parsed once per session (about 15 s on two cores).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import iter_finqa_documents, iter_tatqa_documents
from finrag.documents.ingest import IngestReport, ingest_paths
from finrag.documents.model import ChunkKind, Document
from finrag.documents.numbers import find_numbers, parse_number
from finrag.dsl.units import Scale
from support import require_shared

pytestmark = [pytest.mark.data]

EXPECTED_PAGES = {
    "AMERICANEXPRESS_2022_10K": 260,
    "BESTBUY_2024Q2_10Q": 30,
    "BOEING_2022_10K": 190,
    "PEPSICO_2022_10K": 503,
    "Pfizer_2023Q2_10Q": 72,
    "ULTABEAUTY_2023Q4_EARNINGS": 9,
}


@pytest.fixture(scope="session")
def filings() -> tuple[IngestReport, dict[str, Document]]:
    pdfs = require_shared("financebench", "pdfs")
    docs: dict[str, Document] = {}

    def keep(doc: Document, chunks: list) -> None:
        docs[Path(doc.source).stem] = doc

    report = ingest_paths([pdfs], options=ParseOptions(workers=2), sink=keep)
    return report, docs


def test_every_filing_parses(filings: tuple[IngestReport, dict[str, Document]]) -> None:
    report, docs = filings
    assert report.failed == [] and report.exit_code == 0
    assert {name: len(doc.pages) for name, doc in docs.items()} == EXPECTED_PAGES
    for name, doc in docs.items():
        assert len(doc.tables) >= 5, name
        assert not any(p.image_only for p in doc.pages), name
    assert docs["BOEING_2022_10K"].id == docs["BOEING_2022_10K"].id


def test_boeing_income_statement(filings: tuple[IngestReport, dict[str, Document]]) -> None:
    doc = filings[1]["BOEING_2022_10K"]
    table = next(t for t in doc.tables if t.page == 55 and "Operations" in t.caption)
    assert table.column_periods[1:] == ("2022", "2021", "2020")
    i = table.row_labels.index("Total revenues") + table.header_rows
    assert [c.number.value for c in table.rows[i][1:]] == [66608.0, 62286.0, 58158.0]
    net = table.rows[table.row_labels.index("Net loss") + table.header_rows][1].number
    assert net is not None and net.value == -5053.0 and net.scale.name == "MILLIONS"


def _page_values(doc: Document, page: int) -> set[float]:
    values = {
        abs(c.number.value)
        for t in doc.tables
        for row in t.rows
        for c in row
        if c.number is not None and (c.page or t.page) == page
    }
    for block in doc.pages[page - 1].blocks:
        for sentence in block.sentences:
            values.update(abs(n.value) for n in find_numbers(sentence))
    return values


def financebench_recall(docs: dict[str, Document]) -> tuple[int, int, list[str]]:
    """Answer numbers (not bare years) printed on the evidence page that we parsed there."""
    path = require_shared("financebench", "questions_sample.jsonl")
    found = applicable = 0
    misses: list[str] = []
    for line in path.read_text().splitlines():
        q = json.loads(line)
        doc = docs[q["doc_name"]]
        answer = [abs(n.value) for n in find_numbers(q["answer"])]
        for ev in q["evidence"]:
            page = ev["evidence_page_num"] + 1
            on_page = {abs(n.value) for n in find_numbers(ev["evidence_text_full_page"])}
            ours = _page_values(doc, page)
            for a in answer:
                if a not in on_page or (a.is_integer() and 1990 <= a <= 2100):
                    continue
                applicable += 1
                if a in ours:
                    found += 1
                else:
                    misses.append(f"{q['financebench_id']} p{page} {a}")
    return found, applicable, misses


def test_financebench_evidence_numbers(filings: tuple[IngestReport, dict[str, Document]]) -> None:
    found, applicable, misses = financebench_recall(filings[1])
    assert applicable >= 15
    assert found == applicable, misses


def _gold_values(fact: str) -> list[float]:
    out = []
    for part in fact.split(" ; "):
        m = re.search(r" is (.*?)\s*;?\s*$", part)
        if m and (n := parse_number(m.group(1))) is not None:
            out.append(n.value)
    return out


def finqa_reproduction(path: Path) -> tuple[int, int, list[str]]:
    """Gold table facts whose numbers equal our row chunk's cell numbers, in order."""
    records = json.loads(path.read_text())
    ok = total = 0
    misses: list[str] = []
    for record, doc in zip(records, iter_finqa_documents(records), strict=True):
        chunks = {c.id: c for c in chunk_document(doc)}
        for key, fact in record["qa"].get("gold_inds", {}).items():
            if not key.startswith("table_"):
                continue
            total += 1
            chunk = chunks.get(f"{doc.id}:t0:r{key.split('_')[1]}")
            got = [c.number.value for c in chunk.cells if c.number] if chunk else None
            if got == _gold_values(fact):
                ok += 1
            else:
                misses.append(f"{record['id']} {key}")
    return ok, total, misses


@pytest.mark.parametrize("name", ["train_sample100.json", "dev_sample200.json"])
def test_finqa_table_facts_reproduced(name: str) -> None:
    ok, total, misses = finqa_reproduction(require_shared("finqa", name))
    assert total > 50
    assert ok / total >= 0.98, misses


def test_tatqa_contexts_parse() -> None:
    docs = list(iter_tatqa_documents(require_shared("tatqa", "tatqa_dataset_dev.json")))
    assert len(docs) == 278 and len({d.id for d in docs}) == 278
    numeric = sum(1 for d in docs for t in d.tables for r in t.rows for c in r if c.number)
    assert numeric > 5000


def test_registrants_of_the_filings(filings: tuple[IngestReport, dict[str, Document]]) -> None:
    registrants = {name: doc.metadata.get("registrant") for name, doc in filings[1].items()}
    assert registrants == {
        "AMERICANEXPRESS_2022_10K": "American Express Company",
        "BESTBUY_2024Q2_10Q": "BEST BUY CO., INC.",
        "BOEING_2022_10K": "THE BOEING COMPANY",
        "PEPSICO_2022_10K": "PepsiCo, Inc.",
        "Pfizer_2023Q2_10Q": "PFIZER INC.",
        "ULTABEAUTY_2023Q4_EARNINGS": "Ulta Beauty, Inc.",  # no cover: named by its listing
    }
    from finrag.documents.filer import ALIASES_KEY, decode_aliases

    aliases = {
        name: decode_aliases(doc.metadata.get(ALIASES_KEY)) for name, doc in filings[1].items()
    }
    assert aliases == {
        "AMERICANEXPRESS_2022_10K": ["AXP"],
        "BESTBUY_2024Q2_10Q": ["BBY"],
        "BOEING_2022_10K": ["BA"],
        "PEPSICO_2022_10K": ["PEP"],  # not its notes' "PEP24", ...
        "Pfizer_2023Q2_10Q": ["PFE"],  # not "Notes" ("References to “Notes” ... are to the Notes")
        "ULTABEAUTY_2023Q4_EARNINGS": ["ULTA"],
    }


def test_abbreviations_the_filings_define(
    filings: tuple[IngestReport, dict[str, Document]],
) -> None:
    """The segment and measure names the filings abbreviate, read from their own text."""
    from finrag.documents.abbreviations import ABBREVIATIONS_KEY, decode

    pairs = {name: decode(doc.metadata.get(ABBREVIATIONS_KEY)) for name, doc in filings[1].items()}
    assert pairs["PEPSICO_2022_10K"]["FLNA"] == "Frito-Lay North America"
    assert pairs["PEPSICO_2022_10K"]["PBNA"] == "PepsiCo Beverages North America"
    assert pairs["AMERICANEXPRESS_2022_10K"]["USCS"] == "U.S. Consumer Services"
    assert pairs["AMERICANEXPRESS_2022_10K"]["EPS"].lower() == "earnings per common share"
    assert pairs["BOEING_2022_10K"]["RSUs"] == "restricted stock units"
    assert pairs["BESTBUY_2024Q2_10Q"] == {}
    # no long form is a run of little words or one word spelling a long short form
    for defined in pairs.values():
        for short, long_form in defined.items():
            assert long_form.split()[0].lower() not in ("of", "the", "and"), (short, long_form)


def test_pepsico_mdna_tables_take_the_stated_scale(
    filings: tuple[IngestReport, dict[str, Document]],
) -> None:
    """PepsiCo's MD&A says once that "tabular dollars are presented in millions"."""
    doc = filings[1]["PEPSICO_2022_10K"]
    table = next(t for t in doc.tables if t.page == 40 and "Net revenue" in t.row_labels)
    cell = table.rows[table.header_rows + table.row_labels.index("Net revenue")][1].number
    assert cell is not None and (cell.value, cell.scale.name) == (86392.0, "MILLIONS")


def test_pepsico_operating_margin_sits_under_its_year(
    filings: tuple[IngestReport, dict[str, Document]],
) -> None:
    """The "%" of "13.3 %" hangs past the digits of the 2022 column; it stays in that column."""
    doc = filings[1]["PEPSICO_2022_10K"]
    table = next(t for t in doc.tables if t.page == 40 and "Operating margin" in t.row_labels)
    assert table.column_headers[1:] == ("2022", "2021", "Change")
    row = table.rows[table.header_rows + table.row_labels.index("Operating margin")]
    assert [c.text for c in row[1:]] == ["13.3 %", "14.0 %", "(0.7)"]


def test_contents_pages_give_no_chunks(filings: tuple[IngestReport, dict[str, Document]]) -> None:
    """A 10-K's contents ("Item 3. Legal Proceedings | 18") and its financial-statement index
    are tables of page numbers: no evidence. Statements with one value per row are kept."""
    from finrag.documents.tables import is_contents

    contents = {
        name: sorted(t.page for t in doc.tables if is_contents(t))
        for name, doc in filings[1].items()
    }
    assert contents == {
        "AMERICANEXPRESS_2022_10K": [2, 95, 185],
        "BESTBUY_2024Q2_10Q": [2],
        "BOEING_2022_10K": [2, 54, 139],
        "PEPSICO_2022_10K": [3, 31],
        "Pfizer_2023Q2_10Q": [3],
        "ULTABEAUTY_2023Q4_EARNINGS": [],
    }
    boeing = chunk_document(filings[1]["BOEING_2022_10K"])
    labels = {c.row_label for c in boeing if c.kind is ChunkKind.TABLE_ROW}
    assert "Item 3. Legal Proceedings" not in labels
    assert "Total revenues" in labels


def test_boeing_notes_take_the_notes_heading_scale(
    filings: tuple[IngestReport, dict[str, Document]],
) -> None:
    """Boeing's notes open with "(Dollars in millions, except otherwise stated)"; revenue by
    customer location on page 114 states no scale of its own. Option counts keep theirs."""
    doc = filings[1]["BOEING_2022_10K"]
    table = next(t for t in doc.tables if t.page == 114 and "Total revenues" in t.row_labels)
    cell = table.rows[table.header_rows + table.row_labels.index("Total revenues")][1].number
    assert cell is not None and (cell.value, cell.scale) == (66608.0, Scale.MILLIONS)
    options = next(t for t in doc.tables if "Number of shares under option:" in t.row_labels)
    row = options.rows[options.header_rows + options.row_labels.index("Granted")]
    assert [c.number.scale for c in row[1:3] if c.number] == [Scale.UNITS, Scale.UNITS]
