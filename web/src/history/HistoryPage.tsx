// History: the tenant's past questions and answers; admins also see the audit log and
// whether its hash chain verifies.
import { useState } from "react";
import { useApi } from "../api/api";
import type { Answer, AuditRow, AuditVerify, Me } from "../api/client";
import { formatMs, formatTime } from "../app/format";
import { atLeast } from "../app/session";
import { useLoad } from "../app/useLoad";
import { AnswerCard } from "../ask/AnswerCard";
import { InlineError, SkeletonRows } from "../components/Feedback";


export function HistoryPage({ me }: { me: Me }) {
  const api = useApi();
  const answers = useLoad(() => api.listAnswers(100), [api]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>History</h1>
      </div>
      <section className="panel" aria-labelledby="answers-title">
        <h2 id="answers-title">Questions and answers</h2>
        <InlineError error={answers.error} title="Could not load the answers" />
        {answers.data === null && !answers.error ? (
          <SkeletonRows rows={4} />
        ) : answers.data && answers.data.length === 0 ? (
          <p className="empty">No questions asked yet.</p>
        ) : (
          <ul className="history" data-testid="history">
            {(answers.data ?? []).map((a) => (
              <HistoryItem key={a.id} answer={a} />
            ))}
          </ul>
        )}
      </section>
      {atLeast(me.role, "admin") && <AuditPanel />}
    </div>
  );
}

function HistoryItem({ answer }: { answer: Answer }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="history-item" data-testid="history-item">
      <button type="button" className="history-row" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className="history-q">{answer.question}</span>
        <span className={answer.abstained ? "muted" : "history-a"}>{answer.abstained ? "abstained" : answer.display}</span>
        <span className="muted small nowrap">
          {answer.planner} · {formatMs(answer.timings?.total_ms ?? 0)} · {formatTime(answer.created_at)}
        </span>
      </button>
      {open && <AnswerCard answer={answer} />}
    </li>
  );
}

function AuditPanel() {
  const api = useApi();
  const rows = useLoad(() => api.listAudit(50), [api]);
  const verify = useLoad(() => api.verifyAudit(), [api]);
  return (
    <section className="panel" aria-labelledby="audit-title" data-testid="audit">
      <div className="panel-head">
        <h2 id="audit-title">Audit log</h2>
        <ChainStatus report={verify.data} error={verify.error} />
        <button type="button" className="small" onClick={() => (verify.reload(), rows.reload())}>Verify again</button>
      </div>
      <InlineError error={rows.error} title="Could not load the audit log" />
      {rows.data === null && !rows.error ? (
        <SkeletonRows rows={5} height={32} />
      ) : (
        <div className="table-scroll">
          <table className="data audit-table">
            <thead>
              <tr>
                <th scope="col" className="num">#</th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {(rows.data ?? []).map((row) => (
                <tr key={row.seq} data-testid="audit-row">
                  <td className="num">{row.seq}</td>
                  <td className="nowrap">{formatTime(row.created_at)}</td>
                  <td className="mono small">{row.actor}</td>
                  <td><span className="badge">{row.action}</span></td>
                  <td className="audit-details">{summary(row)}</td>
                  <td className="mono small" title={row.hash}>{row.hash.slice(0, 10)}…</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChainStatus({ report, error }: { report: AuditVerify | null; error: unknown }) {
  if (error) return <InlineError error={error} title="Verification failed to run" />;
  if (!report) return <span className="chain chain-pending" role="status" data-testid="audit-status">Verifying…</span>;
  if (report.ok)
    return (
      <span className="chain chain-ok" role="status" data-testid="audit-status" data-ok="true">
        ✓ Chain verified · {report.rows} rows
      </span>
    );
  return (
    <span className="chain chain-bad" role="alert" data-testid="audit-status" data-ok="false" title={report.problems.join("\n")}>
      ✗ Chain broken · {report.problems.length} problem{report.problems.length === 1 ? "" : "s"}: {report.problems[0]}
    </span>
  );
}

function summary(row: AuditRow): string {
  const p = row.payload as Record<string, unknown>;
  if (typeof p.question === "string") return `${p.question} → ${p.abstained ? "abstained" : String(p.display ?? "")}`;
  const parts = Object.entries(p)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .slice(0, 4)
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.join(", ");
}
