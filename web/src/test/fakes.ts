// A fake FinragApi (same interface as the HTTP one) and fixtures shaped like real responses.
import { vi } from "vitest";
import type { FinragApi } from "../api/api";
import type { Answer, DocumentOut, JobOut, Me, TableOut } from "../api/client";

export const DOC = "d0123456789abcdef";

export const documentFixture: DocumentOut = {
  id: DOC,
  source: "income.pdf",
  format: "pdf",
  title: "Income statement",
  pages: 1,
  tables: 1,
  chunks: 4,
  created_at: "2024-05-01T10:00:00+00:00",
  sha256: "ab".repeat(32),
};

export const tableFixture: TableOut = {
  doc_id: DOC,
  index: 0,
  pages: [1],
  caption: "Consolidated statement of income",
  section: "",
  scale: "millions",
  currency: "USD",
  header_rows: 1,
  header_cols: 1,
  row_labels: ["Net revenue", "Operating income"],
  column_headers: ["", "2019", "2018"],
  rows: [
    [
      { row: 0, col: 0, text: "(in millions)" },
      { row: 0, col: 1, text: "2019" },
      { row: 0, col: 2, text: "2018" },
    ],
    [
      { row: 1, col: 0, text: "Net revenue" },
      { row: 1, col: 1, text: "5,829", value: 5829 },
      { row: 1, col: 2, text: "5,735", value: 5735 },
    ],
    [
      { row: 2, col: 0, text: "Operating income" },
      { row: 2, col: 1, text: "1,200", value: 1200 },
      { row: 2, col: 2, text: "1,100", value: 1100 },
    ],
  ],
};

const cellOperand = (col: number, value: number, text: string, column: string) => ({
  value,
  kind: "money",
  scale: "millions",
  currency: "USD",
  origin: "ref",
  ref_id: `${DOC}:t0:r1:c${col}`,
  text,
  label: `Net revenue ${column}`,
  doc_id: DOC,
  page: 1,
  cell: { table: 0, row: 1, col, row_label: "Net revenue", column },
});

export const answerFixture: Answer = {
  id: "a1",
  question: "What was the percentage change in net revenue from 2018 to 2019?",
  conversation_id: "c1",
  value: 0.01639,
  display: "1.6%",
  kind: "percent",
  calculation: "(5,829 - 5,735) / 5,735 = 1.6%: net revenue rose from $5,735 million in 2018 to $5,829 million in 2019.",
  program: { text: `subtract(${DOC}:t0:r1:c1, ${DOC}:t0:r1:c2), divide(#0, ${DOC}:t0:r1:c2)`, json: {} },
  trace: [
    { index: 0, op: "subtract", operands: [cellOperand(1, 5829, "5,829", "2019"), cellOperand(2, 5735, "5,735", "2018")], value: 94, kind: "money", scale: "millions" },
    {
      index: 1,
      op: "divide",
      operands: [
        { value: 94, kind: "money", scale: "millions", origin: "step", text: "", label: "" },
        cellOperand(2, 5735, "5,735", "2018"),
      ],
      value: 0.01639,
      kind: "ratio",
      scale: "units",
    },
  ],
  evidence: [
    { id: `${DOC}:t0:r1`, doc_id: DOC, source: "income.pdf", page: 1, kind: "table_row", text: "the net revenue of 2019 is $ 5829 ; of 2018 is $ 5735 ;", score: 0.91, cited: true, table_index: 0, row_index: 1 },
    { id: `${DOC}:p1:s0`, doc_id: DOC, source: "income.pdf", page: 1, kind: "text", text: "Net revenue grew 2% on higher volumes of 3.1 million units.", score: 0.42, cited: false },
  ],
  confidence: 0.87,
  abstained: false,
  abstain_reason: null,
  planner: "offline",
  prompt_version: null,
  attempts: 1,
  errors: [],
  timings: { retrieve_ms: 12.5, plan_ms: 3.1, execute_ms: 0.4, total_ms: 16.8 },
  usage: { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, llm_calls: 0 },
  doc_ids: [DOC],
  created_at: "2024-05-01T10:01:00+00:00",
};

export const abstainedFixture: Answer = {
  ...answerFixture,
  id: "a2",
  question: "What was the CEO's favourite colour?",
  value: null,
  display: "",
  calculation: "",
  program: null,
  trace: [],
  confidence: null,
  abstained: true,
  abstain_reason: "no evidence names a number for this question",
};

export function job(status: string, extra: Partial<JobOut> = {}): JobOut {
  return {
    id: "j1", upload_id: "u1", status, stage: status === "succeeded" ? "done" : "embed", done: 1, total: 2,
    progress: status === "succeeded" ? 1 : 0.5, doc_ids: status === "succeeded" ? [DOC] : [], pages: 1, chunks: 4,
    attempts: 1, error: null, created_at: "", updated_at: "", ...extra,
  };
}

export function fakeApi(me: Me, overrides: Partial<FinragApi> = {}): FinragApi {
  return {
    me: vi.fn(async () => me),
    listDocuments: vi.fn(async () => [documentFixture]),
    deleteDocument: vi.fn(async () => undefined),
    upload: vi.fn(async () => ({ upload_id: "u1", filename: "x.pdf", format: "pdf", size_bytes: 1, sha256: "", encrypted: false, job: job("queued") })),
    getJob: vi.fn(async () => job("succeeded")),
    getTable: vi.fn(async () => tableFixture),
    createConversation: vi.fn(async () => ({ id: "c1", title: "", created_at: "" })),
    ask: vi.fn(async () => answerFixture),
    listAnswers: vi.fn(async () => [answerFixture]),
    listAudit: vi.fn(async () => []),
    verifyAudit: vi.fn(async () => ({ ok: true, rows: 3, anchor_seq: 0, last_seq: 3, problems: [] })),
    listEvaluations: vi.fn(async () => []),
    evaluationPlot: vi.fn(async () => null),
    prompts: vi.fn(async () => ({ stable: "v1", candidate: null, share: 0, previous: null, updated_at: "", updated_by: null, versions: [] })),
    ...overrides,
  };
}

export const ADMIN: Me = { key_id: "k1", tenant: "default", role: "admin" };
export const ANALYST: Me = { key_id: "k2", tenant: "default", role: "analyst" };
export const VIEWER: Me = { key_id: "k3", tenant: "default", role: "viewer" };
