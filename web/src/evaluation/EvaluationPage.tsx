// Evaluation (admin): the latest reports from outputs/ with their metrics and plots, and the
// prompt versions with their canary share and live metrics from recent answers.
import { useEffect, useMemo, useState } from "react";
import { useApi } from "../api/api";
import type { Answer, EvaluationRun, PromptState } from "../api/client";
import { formatCost, formatMetric, formatMs, formatTime } from "../app/format";
import { useLoad } from "../app/useLoad";
import { InlineError, Skeleton, SkeletonRows } from "../components/Feedback";

const SHOWN_REPORTS = 6;
const KEY_METRICS = ["questions", "execution_accuracy", "program_accuracy", "exact_match", "numeric_accuracy", "precision_answered", "answered_rate", "retrieval_recall", "latency_p50_ms", "latency_p95_ms", "cost_usd"];

export function EvaluationPage() {
  const api = useApi();
  const runs = useLoad(() => api.listEvaluations(), [api]);
  const prompts = useLoad(() => api.prompts(), [api]);
  const answers = useLoad(() => api.listAnswers(500), [api]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Evaluation</h1>
      </div>
      <section className="panel" aria-labelledby="prompts-title">
        <h2 id="prompts-title">Prompt versions</h2>
        <InlineError error={prompts.error} title="Could not load prompt versions" />
        {prompts.data === null && !prompts.error ? <SkeletonRows rows={3} height={32} /> : prompts.data && <Prompts state={prompts.data} answers={answers.data} />}
      </section>
      <section aria-labelledby="reports-title">
        <h2 id="reports-title" className="section-title">Latest reports</h2>
        <InlineError error={runs.error} title="Could not load evaluation reports" />
        {runs.data === null && !runs.error ? (
          <Skeleton height={320} />
        ) : runs.data && runs.data.length === 0 ? (
          <p className="empty panel">No evaluation reports in outputs/ yet. Run <code>finrag eval qa</code> to write one.</p>
        ) : (
          <div className="reports">
            {(runs.data ?? []).slice(0, SHOWN_REPORTS).map((run) => (
              <Report key={run.path} run={run} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}

function Report({ run }: { run: EvaluationRun }) {
  const metrics = Object.entries(run.metrics ?? {}).filter(([, v]) => typeof v !== "object" || v === null);
  const ordered = [
    ...KEY_METRICS.flatMap((k) => metrics.filter(([name]) => name === k)),
    ...metrics.filter(([name]) => !KEY_METRICS.includes(name)),
  ];
  return (
    <article className="panel report" data-testid="evaluation-report">
      <header>
        <h3 className="report-name" title={run.path}>{run.name}</h3>
        <p className="muted small">
          {[run.kind, run.dataset && `dataset ${run.dataset}`, run.planner && `planner ${run.planner}`, formatTime(run.modified)]
            .filter(Boolean)
            .join(" · ")}
        </p>
      </header>
      <dl className="metrics">
        {ordered.slice(0, 12).map(([name, value]) => (
          <div key={name} className="metric">
            <dt>{metricLabel(name)}</dt>
            <dd>{formatMetric(value)}</dd>
          </div>
        ))}
      </dl>
      <Plot path={run.path} name={run.name} />
    </article>
  );
}

function metricLabel(name: string): string {
  const text = name.replace(/_ms$/, " (ms)").replace(/_usd$/, " (USD)").replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function Plot({ path, name }: { path: string; name: string }) {
  const api = useApi();
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    api.evaluationPlot(path).then(
      (blob) => {
        made = blob ? URL.createObjectURL(blob) : null;
        if (live) setUrl(made);
      },
      () => live && setUrl(null),
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, path]);
  if (url === null) return null;
  return (
    <div className="plot">
      {url === undefined ? <Skeleton height={0} label="Loading plot" /> : <img src={url} alt={`Plots of evaluation report ${name}`} data-testid="evaluation-plot" />}
    </div>
  );
}

interface VersionStats {
  n: number;
  abstained: number;
  latency: number;
  cost: number;
}

function Prompts({ state, answers }: { state: PromptState; answers: Answer[] | null }) {
  const stats = useMemo(() => {
    const by = new Map<string, VersionStats>();
    for (const a of answers ?? []) {
      const key = a.prompt_version ?? "";
      const s = by.get(key) ?? { n: 0, abstained: 0, latency: 0, cost: 0 };
      s.n += 1;
      s.abstained += a.abstained ? 1 : 0;
      s.latency += a.timings?.total_ms ?? 0;
      s.cost += a.usage?.cost_usd ?? 0;
      by.set(key, s);
    }
    return by;
  }, [answers]);
  const unversioned = stats.get("");
  const known = new Set(state.versions.map((v) => v.version));
  const others = [...stats.entries()].filter(([version]) => version && !known.has(version));
  return (
    <>
      <p className="muted small">
        Stable <strong>{state.stable}</strong>
        {state.candidate ? (
          <>
            {" "}· canary <strong>{state.candidate}</strong> at {Math.round(state.share * 100)}% of traffic
          </>
        ) : (
          " · no canary"
        )}
        {state.updated_by && ` · changed by ${state.updated_by} ${formatTime(state.updated_at)}`}
      </p>
      <div className="table-scroll">
        <table className="data" data-testid="prompt-versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Role</th>
              <th scope="col">Traffic share</th>
              <th scope="col" className="num">Answers</th>
              <th scope="col" className="num">Abstained</th>
              <th scope="col" className="num">Mean latency</th>
              <th scope="col" className="num">Mean cost</th>
              <th scope="col">Hash</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {state.versions.map((v) => {
              const s = stats.get(v.version);
              return (
                <tr key={v.version} data-testid="prompt-version">
                  <td className="mono">{v.version}</td>
                  <td><span className={`badge badge-${v.role}`}>{v.role}</span></td>
                  <td className="nowrap">
                    <span className="share">
                      <span className="share-bar" style={{ width: `${Math.round(v.share * 100)}%` }} />
                    </span>{" "}
                    {Math.round(v.share * 100)}%
                  </td>
                  <StatCells s={s} loading={answers === null} />
                  <td className="mono small" title={v.hash}>{v.hash.slice(0, 10)}</td>
                  <td className="small">{v.description}</td>
                </tr>
              );
            })}
            {others.map(([version, s]) => (
              <tr key={version} data-testid="answer-version">
                <td className="mono">{version}</td>
                <td><span className="badge" title="Recorded by answers; not a prompt file (a prompt-less planner's own version)">planner</span></td>
                <td className="muted small">not routed</td>
                <StatCells s={s} loading={false} />
                <td />
                <td className="small muted">Version recorded by recent answers (e.g. the offline planner's model)</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {unversioned && (
        <p className="muted small" data-testid="unversioned">
          {unversioned.n} recent answer{unversioned.n === 1 ? "" : "s"} came from a planner without prompts (e.g. offline or scripted):{" "}
          {Math.round((unversioned.abstained / unversioned.n) * 100)}% abstained, mean latency {formatMs(unversioned.latency / unversioned.n)}.
        </p>
      )}
    </>
  );
}

function StatCells({ s, loading }: { s: VersionStats | undefined; loading: boolean }) {
  if (loading) return <td colSpan={4}><Skeleton height={16} /></td>;
  if (!s) return <><td className="num">0</td><td className="num">–</td><td className="num">–</td><td className="num">–</td></>;
  return (
    <>
      <td className="num">{s.n}</td>
      <td className="num">{Math.round((s.abstained / s.n) * 100)}%</td>
      <td className="num">{formatMs(s.latency / s.n)}</td>
      <td className="num">{formatCost(s.cost / s.n)}</td>
    </>
  );
}
