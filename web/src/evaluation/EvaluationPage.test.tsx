import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/api";
import { ADMIN, answerFixture, fakeApi } from "../test/fakes";
import { EvaluationPage } from "./EvaluationPage";

describe("EvaluationPage", () => {
  it("shows prompt versions with canary share and live metrics, and reports with metrics and plot", async () => {
    URL.createObjectURL = vi.fn(() => "blob:plot");
    URL.revokeObjectURL = vi.fn();
    const api = fakeApi(ADMIN, {
      prompts: vi.fn(async () => ({
        stable: "v1", candidate: "v2", share: 0.1, previous: null, updated_at: "2024-05-01T00:00:00Z", updated_by: "k1",
        versions: [
          { version: "v1", hash: "aaaaaaaaaaaa", description: "minimal", role: "stable", share: 0.9 },
          { version: "v2", hash: "bbbbbbbbbbbb", description: "few-shot", role: "candidate", share: 0.1 },
        ],
      })),
      listAnswers: vi.fn(async () => [
        { ...answerFixture, prompt_version: "v2", usage: { prompt_tokens: 100, completion_tokens: 20, cost_usd: 0.002, llm_calls: 1 } },
        { ...answerFixture, id: "a9", prompt_version: "v2", abstained: true },
      ]),
      listEvaluations: vi.fn(async () => [
        { name: "2024-05-01_abc_finqa_offline", kind: "qa", path: "qa/2024-05-01_abc_finqa_offline.json", modified: "2024-05-01T00:00:00Z",
          dataset: "finqa", planner: "offline", metrics: { questions: 200, execution_accuracy: 0.615, latency_p50_ms: 12.5 } },
      ]),
      evaluationPlot: vi.fn(async () => new Blob(["png"], { type: "image/png" })),
    });
    render(
      <ApiContext.Provider value={api}>
        <EvaluationPage />
      </ApiContext.Provider>,
    );
    const rows = await screen.findAllByTestId("prompt-version");
    expect(rows[1].textContent).toContain("candidate");
    expect(rows[1].textContent).toContain("10%");
    await screen.findByText("50%"); // v2: 2 answers, one abstained
    expect(within(rows[1]).getByText("2")).toBeTruthy();
    const report = await screen.findByTestId("evaluation-report");
    expect(report.textContent).toContain("Execution accuracy0.615");
    expect(report.textContent).toContain("Latency p50 (ms)12.5");
    expect(((await screen.findByTestId("evaluation-plot")) as HTMLImageElement).src).toBe("blob:plot");
    expect(api.evaluationPlot).toHaveBeenCalledWith("qa/2024-05-01_abc_finqa_offline.json");
  });
});
