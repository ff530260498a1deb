"""Read-only routes the web UI needs beyond the resource routers.

* ``GET /me``: who the presented key is (id, tenant, role), so the UI can show the role and
  hide controls the key may not use (the API still enforces every role itself).
* ``GET /documents/{doc_id}/tables`` and ``.../tables/{index}``: the parsed tables of a
  document as cell grids, so an answer's operands can be shown in the table they came from.
* ``GET /evaluations/plot?path=<report.json>``: the PNG written next to an evaluation report.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from finrag.documents.model import Table
from finrag.errors import NotFoundError
from finrag.service.api import API_PREFIX
from finrag.service.api.deps import AdminDep, RuntimeDep, ViewerDep

__all__ = ["MeOut", "TableCellOut", "TableOut", "router"]

router = APIRouter(prefix=API_PREFIX, tags=["ui"])


class MeOut(BaseModel):
    """The caller: key id, tenant and role."""

    key_id: str
    tenant: str
    role: str


class TableCellOut(BaseModel):
    """One cell: its text and, when it holds a number, the parsed value."""

    row: int
    col: int
    text: str
    value: float | None = None
    page: int | None = None


class TableOut(BaseModel):
    """A parsed table as the UI renders it (header rows/columns marked by count)."""

    doc_id: str
    index: int
    pages: list[int]
    caption: str
    section: str
    scale: str = Field(description="units, thousands, millions or billions")
    currency: str | None
    header_rows: int
    header_cols: int
    rows: list[list[TableCellOut]]
    row_labels: list[str]
    column_headers: list[str]


def _table_out(doc_id: str, table: Table) -> TableOut:
    return TableOut(
        doc_id=doc_id, index=table.index, pages=list(table.pages), caption=table.caption,
        section=table.section, scale=table.scale.name.lower(), currency=table.currency,
        header_rows=table.header_rows, header_cols=table.header_cols,
        rows=[[TableCellOut(row=c.row, col=c.col, text=c.text, page=c.page,
                            value=c.number.value if c.number else None) for c in row]
              for row in table.rows],
        row_labels=list(table.row_labels), column_headers=list(table.column_headers),
    )  # fmt: skip


@router.get("/me", response_model=MeOut)
def me(principal: ViewerDep) -> MeOut:
    """The presented key's id, tenant and role."""
    return MeOut(key_id=principal.key_id, tenant=principal.tenant, role=principal.role.name)


@router.get("/documents/{doc_id}/tables", response_model=list[TableOut])
def document_tables(doc_id: str, runtime: RuntimeDep, principal: ViewerDep) -> list[TableOut]:
    """Every parsed table of one of the tenant's documents."""
    document = runtime.store.get_document(principal.tenant, doc_id)
    return [_table_out(doc_id, t) for t in document.tables]


@router.get("/documents/{doc_id}/tables/{index}", response_model=TableOut)
def document_table(doc_id: str, index: int, runtime: RuntimeDep, principal: ViewerDep) -> TableOut:
    """One parsed table (by its index in the document) of one of the tenant's documents."""
    document = runtime.store.get_document(principal.tenant, doc_id)
    table = next((t for t in document.tables if t.index == index), None)
    if table is None:
        raise NotFoundError(
            f"document {doc_id!r} has no table {index}; it has {len(document.tables)} table(s)"
        )
    return _table_out(doc_id, table)


@router.get("/evaluations/plot", response_class=FileResponse,
            responses={200: {"content": {"image/png": {}}}})  # fmt: skip
def evaluation_plot(
    runtime: RuntimeDep,
    principal: AdminDep,
    path: str = Query(description="The report's path as /evaluations lists it (``*.json``)"),
) -> FileResponse:
    """The plot (``<stem>.png``) written next to an evaluation report, if there is one."""
    root = Path(runtime.settings.service.outputs_dir).resolve()
    target = (root / path).with_suffix(".png").resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise NotFoundError(f"no plot for evaluation report {path!r} under {root}")
    return FileResponse(target, media_type="image/png")
