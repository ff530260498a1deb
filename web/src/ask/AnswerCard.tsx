// The answer with its audit trail: value, plain-language calculation, each step's operands
// linked to the cell or sentence they came from, the evidence, and how it was produced.
import { useMemo, useState } from "react";
import type { Answer, CrossCheckItem, TraceOperand } from "../api/client";
import { formatCost, formatMs, formatTime } from "../app/format";
import { cellId, cellOf, evidenceOf, operandName, operandSource, operandValue, type CellAddress } from "./operands";
import { TableView } from "./TableView";

interface Active {
  key: string;
  op: TraceOperand;
}

export function AnswerCard({ answer, compact = false }: { answer: Answer; compact?: boolean }) {
  const [hovered, setHovered] = useState<Active | null>(null);
  const [pinned, setPinned] = useState<Active | null>(null);
  const active = hovered ?? pinned;
  const activeCell: CellAddress | null = active ? cellOf(active.op) : null;

  const { tables, cited } = useMemo(() => {
    const seen = new Map<string, { docId: string; index: number }>();
    const ids = new Set<string>();
    for (const step of answer.trace ?? [])
      for (const op of step.operands) {
        const cell = cellOf(op);
        if (!cell) continue;
        ids.add(cellId(cell));
        seen.set(`${cell.docId}:t${cell.table}`, { docId: cell.docId, index: cell.table });
      }
    return { tables: [...seen.values()], cited: ids };
  }, [answer]);

  const activeSentence = active && !activeCell && active.op.ref_id ? evidenceOf(answer, active.op) : undefined;
  const evidence = [...(answer.evidence ?? [])].sort((a, b) => Number(b.cited) - Number(a.cited));

  return (
    <article className={`panel answer${answer.abstained ? " answer-abstained" : ""}`} data-testid="answer-card" aria-label={`Answer to: ${answer.question}`}>
      <header className="answer-head">
        <p className="question">{answer.question}</p>
        {answer.abstained ? (
          <div className="abstained" role="status">
            <span className="answer-value muted" data-testid="answer-value">No answer</span>
            <p data-testid="abstain-reason">
              <strong>FinRAG abstained:</strong> {answer.abstain_reason || "it could not ground an answer in the documents."}
            </p>
          </div>
        ) : (
          <div className="value-line">
            <span className="answer-value" data-testid="answer-value">{answer.display || String(answer.value ?? "")}</span>
            {answer.confidence !== null && answer.confidence !== undefined && (
              <span className="confidence" data-testid="confidence" title="How sure the planner is of this program">
                confidence {Math.round(answer.confidence * 100)}%
              </span>
            )}
          </div>
        )}
        {answer.calculation && (
          <p className="calculation" data-testid="calculation">{answer.calculation}</p>
        )}
        {answer.cross_check && !answer.abstained && <CrossCheckLine check={answer.cross_check} />}
      </header>

      {(answer.trace?.length ?? 0) > 0 && (
        <section aria-label="Steps">
          <h3>How it was computed</h3>
          <ol className="steps">
            {answer.trace!.map((step) => (
              <li key={step.index} className="step">
                <span className="op mono">{step.op}</span>
                <span className="operands">
                  {step.operands.map((op, i) => {
                    const key = `${step.index}-${i}`;
                    const sourced = Boolean(cellOf(op) || op.ref_id);
                    return (
                      <button
                        type="button"
                        key={key}
                        className={`operand${sourced ? " sourced" : ""}${active?.key === key ? " active" : ""}`}
                        aria-pressed={pinned?.key === key}
                        data-testid="operand"
                        data-ref-id={op.ref_id ?? undefined}
                        onMouseEnter={() => setHovered({ key, op })}
                        onMouseLeave={() => setHovered(null)}
                        onFocus={() => setHovered({ key, op })}
                        onBlur={() => setHovered(null)}
                        onClick={() => setPinned((p) => (p?.key === key ? null : { key, op }))}
                        title={operandSource(op) || undefined}
                      >
                        <span className="operand-value">{operandValue(op)}</span>
                        <span className="operand-name">{operandName(op)}</span>
                        {op.page !== null && op.page !== undefined && <span className="operand-page">p. {op.page}</span>}
                      </button>
                    );
                  })}
                </span>
                <span className="step-result">
                  = <span className="mono">{formatStep(step.value, step.kind, step.scale)}</span>
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}

      {active && (
        <p className="source-line" data-testid="operand-source" aria-live="polite">
          <strong>{operandValue(active.op)}</strong> — {operandName(active.op)}
          {operandSource(active.op) && <span className="muted"> ({operandSource(active.op)})</span>}
          {active.op.rescaled_from && <span className="muted"> · rescaled from {active.op.rescaled_from}</span>}
        </p>
      )}
      {activeSentence && (
        <blockquote className="sentence" data-testid="operand-sentence">
          “{activeSentence.text}” <span className="muted">— page {activeSentence.page}</span>
        </blockquote>
      )}

      {!compact && tables.length > 0 && (
        <section aria-label="Source tables" className="source-tables">
          <h3>Where the numbers are</h3>
          {tables.map((t) => (
            <TableView key={`${t.docId}:${t.index}`} docId={t.docId} index={t.index} cited={cited} active={activeCell} />
          ))}
        </section>
      )}

      {evidence.length > 0 && (
        <details className="evidence" open={!compact && answer.abstained}>
          <summary>
            Evidence ({evidence.filter((e) => e.cited).length} cited of {evidence.length})
          </summary>
          <ol data-testid="evidence">
            {evidence.map((e) => (
              <li key={e.id} className={e.cited ? "cited" : undefined} data-testid="evidence-item" data-cited={e.cited}>
                <span className="evidence-meta">
                  {e.cited && <span className="badge badge-cited">cited</span>}
                  <span className="muted">
                    {e.kind === "table_row" ? "table row" : "text"} · page {e.page} · score {e.score.toFixed(3)}
                  </span>
                </span>
                <span className="evidence-text">{e.text}</span>
              </li>
            ))}
          </ol>
        </details>
      )}

      <footer className="answer-meta" data-testid="answer-meta">
        <span>planner <strong>{answer.planner}</strong></span>
        <span>prompt <strong>{answer.prompt_version ?? "none"}</strong></span>
        <span title={`retrieve ${formatMs(answer.timings?.retrieve_ms ?? 0)}, plan ${formatMs(answer.timings?.plan_ms ?? 0)}, execute ${formatMs(answer.timings?.execute_ms ?? 0)}`}>
          latency <strong data-testid="latency">{formatMs(answer.timings?.total_ms ?? 0)}</strong>
        </span>
        <span>
          cost <strong>{formatCost(answer.usage?.cost_usd ?? 0)}</strong>
          {(answer.usage?.llm_calls ?? 0) > 0 && (
            <span className="muted"> · {(answer.usage!.prompt_tokens + answer.usage!.completion_tokens).toLocaleString()} tokens</span>
          )}
        </span>
        {answer.created_at && <span className="muted">{formatTime(answer.created_at)}</span>}
        {answer.program && (
          <details className="program">
            <summary>Program</summary>
            <code className="mono" data-testid="program">{answer.program.text}</code>
          </details>
        )}
      </footer>
    </article>
  );
}

const SCALE_WORD: Record<string, string> = { thousands: " thousand", millions: " million", billions: " billion" };

function formatStep(value: number, kind: string, scale: string): string {
  if (kind === "percent") return `${(value * 100).toFixed(2)}%`;
  if (kind === "ratio") return value.toFixed(4);
  return value.toLocaleString(undefined, { maximumFractionDigits: 4 }) + (SCALE_WORD[scale] ?? "");
}

// A second planner's reading of the same question (check:<planner>): agreement is worth
// knowing, disagreement more so; the answer itself is never changed by it.
function CrossCheckLine({ check }: { check: CrossCheckItem }) {
  const outcome = check.agrees === true ? "agrees" : check.agrees === false ? "disagrees" : "no-reading";
  const label = check.agrees === true ? "Cross-check agrees" : check.agrees === false ? "Cross-check disagrees" : "Cross-check";
  return (
    <p className={`cross-check cross-check-${outcome}`} data-testid="cross-check" data-outcome={outcome} title="A second planner read the same question and evidence">
      <strong>{label}:</strong> {check.note}
    </p>
  );
}
