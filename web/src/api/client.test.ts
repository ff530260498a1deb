import { describe, expect, it, vi } from "vitest";
import { ApiError, createCall, errorFrom } from "./client";

describe("typed call", () => {
  it("fills path parameters, sends the key and parses JSON", async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ id: "j1" }), { status: 200 }));
    const call = createCall({ getKey: () => "frk_k", fetch: fetchImpl as unknown as typeof fetch });
    const job = await call("/api/v1/jobs/{job_id}", "get", { path: { job_id: "a/b" } });
    expect(job.id).toBe("j1");
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/jobs/a%2Fb");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer frk_k");
  });

  it("turns the service's error body into an ApiError", async () => {
    const fetchImpl = vi.fn(async () => new Response('{"error":"NotFoundError","detail":"document d1 not found"}', { status: 404 }));
    const call = createCall({ getKey: () => null, fetch: fetchImpl as unknown as typeof fetch });
    await expect(call("/api/v1/documents/{doc_id}", "get", { path: { doc_id: "d1" } })).rejects.toMatchObject({
      status: 404, error: "NotFoundError", detail: "document d1 not found",
    });
  });

  it("explains validation errors and unreachable servers", () => {
    const v = errorFrom(422, JSON.stringify({ detail: [{ loc: ["body", "question"], msg: "String should have at least 1 character" }] }));
    expect(v.detail).toBe("question: String should have at least 1 character");
    const n = errorFrom(0, "");
    expect(n).toBeInstanceOf(ApiError);
    expect(n.detail).toContain("finrag serve");
  });
});
