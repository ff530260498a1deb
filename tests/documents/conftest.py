"""Fixtures for document tests: generated files (session scope) and the parsed real filings."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.documents_fixtures import make_csv, make_html, make_statement_pdf, make_xlsx


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("docs")


@pytest.fixture(scope="session")
def statement_pdf(gen_dir: Path) -> Path:
    return make_statement_pdf(gen_dir / "statement.pdf", image_page=True)


@pytest.fixture(scope="session")
def encrypted_pdf(gen_dir: Path) -> Path:
    return make_statement_pdf(gen_dir / "encrypted.pdf", encrypted=True)


@pytest.fixture(scope="session")
def html_file(gen_dir: Path) -> Path:
    return make_html(gen_dir / "filing.htm")


@pytest.fixture(scope="session")
def xlsx_file(gen_dir: Path) -> Path:
    return make_xlsx(gen_dir / "book.xlsx")


@pytest.fixture(scope="session")
def csv_file(gen_dir: Path) -> Path:
    return make_csv(gen_dir / "table.csv")
