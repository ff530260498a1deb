// One row per upload: bytes sent, then the ingestion job's stage and progress, then the
// outcome. Rejections and failures keep their row and say why, in place.
import { formatBytes } from "../app/format";
import type { UploadItem } from "./useUploads";

const LABEL: Record<UploadItem["phase"], string> = {
  uploading: "Uploading",
  queued: "Queued",
  ingesting: "Ingesting",
  done: "Ready",
  failed: "Ingestion failed",
  rejected: "Rejected",
};

function fraction(item: UploadItem): number {
  if (item.phase === "uploading") return item.sent;
  if (item.phase === "done") return 1;
  return item.job?.progress ?? 0;
}

function detail(item: UploadItem): string {
  const job = item.job;
  switch (item.phase) {
    case "uploading":
      return `${Math.round(item.sent * 100)}% of ${formatBytes(item.size)} sent`;
    case "queued":
      return "waiting for a worker";
    case "ingesting":
      return job ? `${job.stage}${job.total ? ` · ${job.done}/${job.total}` : ""} · ${Math.round(job.progress * 100)}%` : "";
    case "done":
      return job ? `${job.pages} page${job.pages === 1 ? "" : "s"}, ${job.chunks} evidence units` : "";
    default:
      return "";
  }
}

export function UploadList({ items, onDismiss }: { items: UploadItem[]; onDismiss: (id: string) => void }) {
  if (items.length === 0) return null;
  return (
    <ul className="uploads" aria-label="Uploads" aria-live="polite">
      {items.map((item) => {
        const bad = item.phase === "failed" || item.phase === "rejected";
        const pct = Math.round(fraction(item) * 100);
        return (
          <li key={item.id} className={`upload upload-${item.phase}`} data-testid="upload-item" data-state={item.phase}>
            <div className="upload-head">
              <span className="upload-name" title={item.name}>{item.name}</span>
              <span className={`badge badge-${item.phase}`}>{LABEL[item.phase]}</span>
            </div>
            {!bad && (
              <div
                className="progress"
                role="progressbar"
                aria-label={`${item.name}: ${LABEL[item.phase]}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
              >
                <div className="progress-bar" style={{ width: `${pct}%` }} />
              </div>
            )}
            <div className="upload-detail">
              {bad ? (
                <span className="upload-error" role="alert" data-testid="upload-error">{item.error}</span>
              ) : (
                <span className="muted">{detail(item)}</span>
              )}
              {(bad || item.phase === "done") && (
                <button type="button" className="link" onClick={() => onDismiss(item.id)} aria-label={`Dismiss ${item.name}`}>
                  Dismiss
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
