import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ApiContext } from "../api/api";
import type { Answer } from "../api/client";
import { ADMIN, DOC, abstainedFixture, answerFixture, fakeApi } from "../test/fakes";
import { AnswerCard } from "./AnswerCard";

function renderCard(answer: Answer) {
  const api = fakeApi(ADMIN);
  render(
    <ApiContext.Provider value={api}>
      <AnswerCard answer={answer} />
    </ApiContext.Provider>,
  );
  return api;
}

const cell = (col: number) => document.querySelector(`[data-cell-id="${DOC}:t0:r1:c${col}"]`) as HTMLElement;

describe("AnswerCard", () => {
  it("shows the value, the plain-language calculation, confidence and provenance", async () => {
    renderCard(answerFixture);
    expect(screen.getByTestId("answer-value").textContent).toBe("1.6%");
    expect(screen.getByTestId("calculation").textContent).toContain("(5,829 - 5,735) / 5,735 = 1.6%");
    expect(screen.getByTestId("confidence").textContent).toBe("confidence 87%");
    const meta = screen.getByTestId("answer-meta").textContent!;
    expect(meta).toContain("planner offline");
    expect(meta).toContain("prompt none");
    expect(meta).toContain("latency 17 ms");
    expect(meta).toContain("cost $0");
    expect(screen.getByTestId("program").textContent).toContain("subtract(");
    // evidence: cited first, flagged
    const items = screen.getAllByTestId("evidence-item");
    expect(items[0].dataset.cited).toBe("true");
    expect(within(items[0]).getByText("cited")).toBeTruthy();
    expect(items[1].dataset.cited).toBe("false");
  });

  it("shows a cross-check beside the answer, a disagreement marked", () => {
    const note = "offline:0 reads 1.6% instead of -1.6% (subtract(...), confidence 0.71)";
    renderCard({ ...answerFixture, cross_check: { planner: "offline:0", agrees: false, note, display: "1.6%" } });
    const line = screen.getByTestId("cross-check");
    expect(line.dataset.outcome).toBe("disagrees");
    expect(line.textContent).toBe(`Cross-check disagrees: ${note}`);
  });

  it("shows no cross-check when there is none", () => {
    renderCard(answerFixture);
    expect(screen.queryByTestId("cross-check")).toBeNull();
  });

  it("renders the cited table and highlights the operand's cell and row on hover", async () => {
    const api = renderCard(answerFixture);
    await screen.findByTestId("source-table");
    expect(api.getTable).toHaveBeenCalledWith(DOC, 0);
    // both cited cells are marked, none highlighted yet
    expect(cell(1).className).toContain("cited");
    expect(cell(2).className).toContain("cited");
    expect(document.querySelector(".highlighted")).toBeNull();

    const operands = screen.getAllByTestId("operand");
    expect(operands.map((o) => o.textContent)).toEqual([
      "5,829Net revenue · 2019p. 1",
      "5,735Net revenue · 2018p. 1",
      "94 millionresult of step 1",
      "5,735Net revenue · 2018p. 1",
    ].map((t) => t.replace("result of step 1", "an earlier step")));

    fireEvent.mouseEnter(operands[0]);
    expect(cell(1).className).toContain("highlighted");
    expect(cell(1).getAttribute("aria-current")).toBe("true");
    expect(cell(1).closest("tr")!.className).toContain("row-highlighted");
    expect(cell(2).className).not.toContain("highlighted");
    expect(screen.getByTestId("operand-source").textContent).toContain("page 1 · table 1, row 2, column 2");

    fireEvent.mouseLeave(operands[0]);
    expect(document.querySelector(".highlighted")).toBeNull();
  });

  it("pins a highlight on click and follows keyboard focus", async () => {
    renderCard(answerFixture);
    await screen.findByTestId("source-table");
    const operands = screen.getAllByTestId("operand");
    const user = userEvent.setup();
    await user.click(operands[1]);
    expect(operands[1].getAttribute("aria-pressed")).toBe("true");
    await act(async () => fireEvent.mouseLeave(operands[1]));
    expect(cell(2).getAttribute("aria-current")).toBe("true");

    await user.tab(); // focus moves to the next operand: the highlight follows it
    expect(document.activeElement).toBe(operands[2]);
    // a step result has no cell: nothing highlighted while it has focus
    expect(document.querySelector("[aria-current='true']")).toBeNull();
    await user.tab();
    expect(cell(2).getAttribute("aria-current")).toBe("true");
  });

  it("shows the sentence of a sentence operand", async () => {
    const sentenceAnswer: Answer = {
      ...answerFixture,
      trace: [
        {
          index: 0, op: "multiply", value: 3.1, kind: "count", scale: "millions",
          operands: [{ value: 3.1, kind: "count", scale: "millions", origin: "ref", ref_id: `${DOC}:p1:s0:n1`, text: "3.1 million", label: "units", doc_id: DOC, page: 1, cell: null }],
        },
      ],
    };
    renderCard(sentenceAnswer);
    fireEvent.click(screen.getByTestId("operand"));
    expect(screen.getByTestId("operand-sentence").textContent).toContain("Net revenue grew 2% on higher volumes of 3.1 million units.");
    expect(screen.getByTestId("operand-sentence").textContent).toContain("page 1");
    expect(screen.queryByTestId("source-table")).toBeNull();
  });

  it("shows the abstention reason instead of a value", () => {
    renderCard(abstainedFixture);
    expect(screen.getByTestId("answer-value").textContent).toBe("No answer");
    expect(screen.getByTestId("abstain-reason").textContent).toContain("no evidence names a number for this question");
    expect(screen.queryByTestId("calculation")).toBeNull();
    expect(screen.queryByTestId("confidence")).toBeNull();
    expect(screen.queryAllByTestId("operand")).toHaveLength(0);
  });
});
