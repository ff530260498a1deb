// A thin typed wrapper over fetch, typed by the schema generated from the service's OpenAPI
// document (`npm run gen:api` writes src/api/schema.d.ts). Path, query, body and response
// types all come from that schema, so an API change shows up here as a type error.
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Answer = Schemas["Answer"];
export type TraceOperand = Schemas["TraceOperand"];
export type TraceStep = Schemas["TraceStep"];
export type EvidenceItem = Schemas["EvidenceItem"];
export type CrossCheckItem = Schemas["CrossCheckItem"];
export type DocumentOut = Schemas["DocumentOut"];
export type JobOut = Schemas["JobOut"];
export type UploadAccepted = Schemas["UploadAccepted"];
export type TableOut = Schemas["TableOut"];
export type TableCellOut = Schemas["TableCellOut"];
export type Me = Schemas["MeOut"];
export type AuditRow = Schemas["AuditRowOut"];
export type AuditVerify = Schemas["AuditVerifyOut"];
export type EvaluationRun = Schemas["EvaluationRun"];
export type PromptState = Schemas["PromptState"];
export type ConversationOut = Schemas["ConversationOut"];
export type AskRequest = Schemas["AskRequest"];
export type Role = "viewer" | "analyst" | "admin";

type Method = "get" | "post" | "delete";
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<R, S extends number> = R extends { [K in S]: { content: { "application/json": infer T } } }
  ? T
  : never;
type Success<O> = O extends { responses: infer R }
  ? [Json<R, 200>] extends [never]
    ? [Json<R, 201>] extends [never]
      ? [Json<R, 202>] extends [never]
        ? void
        : Json<R, 202>
      : Json<R, 201>
    : Json<R, 200>
  : never;
type PathParams<O> = O extends { parameters: { path: infer P } } ? P : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type JsonBody<O> = O extends { requestBody: { content: { "application/json": infer B } } } ? B : never;

export interface CallOptions<O> {
  path?: PathParams<O>;
  query?: QueryParams<O>;
  body?: JsonBody<O>;
  signal?: AbortSignal;
}

/** An error response: the HTTP status, the service's error class and its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(detail || `${status} ${error}`);
    this.name = "ApiError";
  }
}

/** Turn a non-2xx body (the service sends {error, detail}) into an ApiError. */
export function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: string; detail?: unknown };
    if (typeof body.detail === "string") return new ApiError(status, body.error ?? "Error", body.detail);
    if (Array.isArray(body.detail)) {
      // FastAPI validation errors: a list of {loc, msg}.
      const msgs = body.detail.map((d: { loc?: unknown[]; msg?: string }) =>
        `${(d.loc ?? []).slice(1).join(".")}: ${d.msg ?? "invalid"}`,
      );
      return new ApiError(status, "ValidationError", msgs.join("; "));
    }
  } catch {
    /* not JSON: fall through */
  }
  const hint = status === 0 ? "the service did not answer (is `finrag serve` running?)" : text.slice(0, 200);
  return new ApiError(status, status === 0 ? "NetworkError" : `HTTP ${status}`, hint);
}

function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return "";
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : "";
}

export interface TransportOptions {
  baseUrl?: string;
  getKey: () => string | null;
  fetch?: typeof fetch;
}

export type Call = <P extends keyof paths, M extends Method & keyof paths[P]>(
  path: P,
  method: M,
  options?: CallOptions<Op<P, M>>,
) => Promise<Success<Op<P, M>>>;

/** The typed call: `call("/api/v1/jobs/{job_id}", "get", { path: { job_id } })`. */
export function createCall({ baseUrl = "", getKey, fetch: fetchImpl }: TransportOptions): Call {
  return async (path, method, options = {}) => {
    const url =
      baseUrl +
      fillPath(path as string, options.path as Record<string, unknown> | undefined) +
      queryString(options.query as Record<string, unknown> | undefined);
    const headers: Record<string, string> = { Accept: "application/json" };
    const key = getKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await (fetchImpl ?? fetch)(url, { method: method.toUpperCase(), headers, body, signal: options.signal });
    } catch (exc) {
      if ((exc as Error).name === "AbortError") throw exc;
      throw errorFrom(0, "");
    }
    if (!response.ok) throw errorFrom(response.status, await response.text());
    if (response.status === 204) return undefined as never;
    return (await response.json()) as never;
  };
}

/** POST a file as multipart with upload progress (fetch cannot report upload progress). */
export function uploadWithProgress(
  url: string,
  key: string | null,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadAccepted> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (key) xhr.setRequestHeader("Authorization", `Bearer ${key}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as UploadAccepted);
      } else reject(errorFrom(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(errorFrom(0, ""));
    xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
