// The operations the UI uses, as one interface: components receive it through ApiContext,
// so tests hand them a fake with the same shape instead of mocking fetch.
import { createContext, useContext } from "react";
import {
  createCall,
  uploadWithProgress,
  type Answer,
  type AskRequest,
  type AuditRow,
  type AuditVerify,
  type ConversationOut,
  type DocumentOut,
  type EvaluationRun,
  type JobOut,
  type Me,
  type PromptState,
  type TableOut,
  type UploadAccepted,
} from "./client";

export interface FinragApi {
  me(key?: string): Promise<Me>;
  listDocuments(): Promise<DocumentOut[]>;
  deleteDocument(docId: string): Promise<void>;
  upload(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadAccepted>;
  getJob(jobId: string): Promise<JobOut>;
  getTable(docId: string, index: number): Promise<TableOut>;
  createConversation(title: string): Promise<ConversationOut>;
  ask(request: AskRequest): Promise<Answer>;
  listAnswers(limit?: number): Promise<Answer[]>;
  listAudit(limit?: number): Promise<AuditRow[]>;
  verifyAudit(): Promise<AuditVerify>;
  listEvaluations(): Promise<EvaluationRun[]>;
  evaluationPlot(path: string): Promise<Blob | null>;
  prompts(): Promise<PromptState>;
}

/** The real API over HTTP, authenticated with the key `getKey` returns. */
export function httpApi(getKey: () => string | null, baseUrl = ""): FinragApi {
  const call = createCall({ baseUrl, getKey });
  return {
    me: (key) =>
      key === undefined
        ? call("/api/v1/me", "get")
        : createCall({ baseUrl, getKey: () => key })("/api/v1/me", "get"),
    listDocuments: () => call("/api/v1/documents", "get"),
    deleteDocument: (doc_id) => call("/api/v1/documents/{doc_id}", "delete", { path: { doc_id } }),
    upload: (file, onProgress, signal) =>
      uploadWithProgress(`${baseUrl}/api/v1/documents`, getKey(), file, onProgress, signal),
    getJob: (job_id) => call("/api/v1/jobs/{job_id}", "get", { path: { job_id } }),
    getTable: (doc_id, index) =>
      call("/api/v1/documents/{doc_id}/tables/{index}", "get", { path: { doc_id, index } }),
    createConversation: (title) =>
      call("/api/v1/conversations", "post", { body: { title: title.slice(0, 500) } }),
    ask: (body) => call("/api/v1/ask", "post", { body }),
    // /answers is declared as a list of objects; each one is an Answer.
    listAnswers: async (limit = 50) =>
      (await call("/api/v1/answers", "get", { query: { limit } })) as unknown as Answer[],
    listAudit: (limit = 100) => call("/api/v1/audit", "get", { query: { limit } }),
    verifyAudit: () => call("/api/v1/audit/verify", "get"),
    listEvaluations: () => call("/api/v1/evaluations", "get"),
    evaluationPlot: async (path) => {
      const key = getKey();
      const response = await fetch(`${baseUrl}/api/v1/evaluations/plot?path=${encodeURIComponent(path)}`, {
        headers: key ? { Authorization: `Bearer ${key}` } : {},
      });
      return response.ok ? response.blob() : null;
    },
    prompts: () => call("/api/v1/prompts", "get"),
  };
}

export const ApiContext = createContext<FinragApi | null>(null);

export function useApi(): FinragApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside <ApiContext.Provider>");
  return api;
}
