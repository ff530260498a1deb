// Documents: upload (analysts and admins), the tenant's documents, and which ones to ask about.
import { useState } from "react";
import { useApi } from "../api/api";
import type { DocumentOut, Me } from "../api/client";
import { formatTime } from "../app/format";
import { atLeast } from "../app/session";
import { InlineError, SkeletonRows } from "../components/Feedback";
import type { DocumentsState } from "./useDocuments";
import { UploadList } from "./UploadList";
import { UploadZone } from "./UploadZone";
import { useUploads } from "./useUploads";

interface Props {
  me: Me;
  documents: DocumentsState;
  selected: string[];
  onSelect: (ids: string[]) => void;
  onAsk: () => void;
}

export function DocumentsPage({ me, documents, selected, onSelect, onAsk }: Props) {
  const canWrite = atLeast(me.role, "analyst");
  const uploads = useUploads(() => void documents.reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Documents</h1>
        {canWrite && (
          <button type="button" className="primary" onClick={onAsk} disabled={!documents.items?.length} data-testid="ask-selected">
            {selected.length ? `Ask about ${selected.length} selected` : "Ask about all documents"}
          </button>
        )}
      </div>
      {canWrite ? (
        <section className="panel" aria-labelledby="upload-title">
          <h2 id="upload-title">Upload</h2>
          <UploadZone onFiles={uploads.add} />
          <UploadList items={uploads.items} onDismiss={uploads.dismiss} />
        </section>
      ) : (
        <p className="notice" data-testid="read-only-note">
          Your key has the <strong>{me.role}</strong> role: you can read documents and answers; uploading and asking need an
          analyst key.
        </p>
      )}
      <section className="panel" aria-labelledby="docs-title">
        <h2 id="docs-title">Library</h2>
        <InlineError error={documents.error} title="Could not load documents" />
        {documents.items === null ? (
          <SkeletonRows rows={3} />
        ) : documents.items.length === 0 ? (
          <p className="empty">No documents yet.{canWrite ? " Upload a report above to start." : ""}</p>
        ) : (
          <DocumentTable items={documents.items} canWrite={canWrite} selected={selected} onSelect={onSelect} onDeleted={documents.reload} />
        )}
      </section>
    </div>
  );
}

interface TableProps {
  items: DocumentOut[];
  canWrite: boolean;
  selected: string[];
  onSelect: (ids: string[]) => void;
  onDeleted: () => Promise<void>;
}

function DocumentTable({ items, canWrite, selected, onSelect, onDeleted }: TableProps) {
  const api = useApi();
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const toggle = (id: string) => onSelect(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);

  async function remove(doc: DocumentOut) {
    if (!window.confirm(`Delete ${doc.title || doc.source}? Its evidence goes too; answers already given stay in the history.`)) return;
    setDeleting(doc.id);
    setError(null);
    try {
      await api.deleteDocument(doc.id);
      await onDeleted();
    } catch (exc) {
      setError(exc);
    } finally {
      setDeleting(null);
    }
  }

  return (
    <>
      <InlineError error={error} title="Delete failed" />
      <div className="table-scroll">
        <table className="data" data-testid="documents">
          <thead>
            <tr>
              {canWrite && <th scope="col"><span className="visually-hidden">Ask about</span></th>}
              <th scope="col">Document</th>
              <th scope="col">Format</th>
              <th scope="col" className="num">Pages</th>
              <th scope="col" className="num">Tables</th>
              <th scope="col" className="num">Evidence</th>
              <th scope="col">Added</th>
              {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {items.map((doc) => (
              <tr key={doc.id} data-testid="document-row" data-doc-id={doc.id}>
                {canWrite && (
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.includes(doc.id)}
                      onChange={() => toggle(doc.id)}
                      aria-label={`Ask about ${doc.title || doc.source}`}
                    />
                  </td>
                )}
                <td>
                  <div className="doc-name">
                    <span title={doc.source}>{doc.title || doc.source}</span>
                    <span className="muted mono small">{doc.id}</span>
                  </div>
                </td>
                <td>{doc.format.toUpperCase()}</td>
                <td className="num" data-testid="doc-pages">{doc.pages}</td>
                <td className="num" data-testid="doc-tables">{doc.tables}</td>
                <td className="num">{doc.chunks}</td>
                <td className="nowrap">{formatTime(doc.created_at)}</td>
                {canWrite && (
                  <td>
                    <button
                      type="button"
                      className="danger small"
                      onClick={() => void remove(doc)}
                      disabled={deleting === doc.id}
                      data-testid="delete-document"
                      aria-label={`Delete ${doc.title || doc.source}`}
                    >
                      {deleting === doc.id ? "Deleting…" : "Delete"}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
