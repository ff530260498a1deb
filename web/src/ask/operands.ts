// Where an operand came from: its table cell (document, table, row, column) or its sentence.
import type { Answer, EvidenceItem, TraceOperand } from "../api/client";
import { formatNumber } from "../app/format";

export interface CellAddress {
  docId: string;
  table: number;
  row: number;
  col: number;
}

const CELL_REF = /^(?<doc>.+):t(?<table>\d+):r(?<row>\d+):c(?<col>\d+)$/;

/** The id a rendered table cell carries in data-cell-id (the same form as a cell reference). */
export function cellId(a: CellAddress): string {
  return `${a.docId}:t${a.table}:r${a.row}:c${a.col}`;
}

/** The cited cell of an operand, from its cell provenance or, failing that, its cell reference. */
export function cellOf(op: TraceOperand): CellAddress | null {
  if (op.cell) {
    const docId = op.doc_id ?? op.ref_id?.split(":t")[0];
    if (docId) return { docId, table: op.cell.table, row: op.cell.row, col: op.cell.col };
  }
  const m = op.ref_id ? CELL_REF.exec(op.ref_id) : null;
  if (!m?.groups) return null;
  return { docId: m.groups.doc, table: +m.groups.table, row: +m.groups.row, col: +m.groups.col };
}

/** The evidence unit (sentence or table row) a reference points into. */
export function chunkIdOf(refId: string): string {
  return refId.replace(/:[cn]\d+$/, "");
}

export function evidenceOf(answer: Answer, op: TraceOperand): EvidenceItem | undefined {
  if (!op.ref_id) return undefined;
  const id = chunkIdOf(op.ref_id);
  return answer.evidence?.find((e) => e.id === id);
}

const SCALE_WORD: Record<string, string> = { thousands: "thousand", millions: "million", billions: "billion" };

/** The operand's value as written in the source when there is one, else formatted. */
export function operandValue(op: TraceOperand): string {
  if (op.origin === "ref" && op.text && /\d/.test(op.text) && op.text.length <= 24) return op.text;
  const shown = op.kind === "percent" ? `${formatNumber(op.value * 100)}%` : formatNumber(op.value);
  const scale = SCALE_WORD[op.scale];
  return scale ? `${shown} ${scale}` : shown;
}

/** A short name: "Net revenue · 2019", "step 1", "constant 100". */
export function operandName(op: TraceOperand, stepRefs?: number): string {
  if (op.cell) return [op.cell.row_label, op.cell.column].filter(Boolean).join(" · ") || op.label;
  if (op.label) return op.label;
  if (op.origin === "step") return stepRefs !== undefined ? `result of step ${stepRefs + 1}` : "an earlier step";
  if (op.origin === "constant") return "constant";
  if (op.origin === "literal") return "number in the program";
  return op.origin;
}

/** Page and position, for the operand's source line. */
export function operandSource(op: TraceOperand): string {
  const parts: string[] = [];
  if (op.page !== null && op.page !== undefined) parts.push(`page ${op.page}`);
  if (op.cell) parts.push(`table ${op.cell.table + 1}, row ${op.cell.row + 1}, column ${op.cell.col + 1}`);
  else if (op.ref_id) parts.push("sentence");
  return parts.join(" · ");
}
