// A parsed table as the service stored it, with the cited cells marked and the active
// operand's cell highlighted (class "highlighted", aria-current) in its highlighted row.
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api/api";
import type { TableOut } from "../api/client";
import { InlineError, Skeleton } from "../components/Feedback";
import { cellId, type CellAddress } from "./operands";
import { loadTable } from "./tableCache";

interface Props {
  docId: string;
  index: number;
  cited: Set<string>;
  active: CellAddress | null;
}

export function TableView({ docId, index, cited, active }: Props) {
  const api = useApi();
  const [table, setTable] = useState<TableOut | null>(null);
  const [error, setError] = useState<unknown>(null);
  const highlighted = useRef<HTMLTableCellElement>(null);

  useEffect(() => {
    let live = true;
    loadTable(api, docId, index).then(
      (t) => live && setTable(t),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, docId, index]);

  const activeId = active && active.docId === docId && active.table === index ? cellId(active) : null;
  useEffect(() => {
    void highlighted.current?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }, [activeId]);

  if (error) return <InlineError error={error} title={`Table ${index + 1} could not be loaded`} />;
  if (!table) return <Skeleton height={140} label={`Loading table ${index + 1}`} />;

  const scale = table.scale && table.scale !== "units" ? `in ${table.scale}` : "";
  return (
    <figure className="source-table" data-testid="source-table" data-table={`${docId}:t${index}`}>
      <figcaption>
        Table {index + 1} · page {table.pages.join(", ") || "?"}
        {scale && ` · ${scale}`}
        {table.currency && ` · ${table.currency}`}
        {table.caption && <span className="muted"> — {table.caption}</span>}
      </figcaption>
      <div className="table-scroll">
        <table className="grid">
          <tbody>
            {table.rows.map((row, r) => {
              const rowActive = activeId !== null && active!.row === r;
              return (
                <tr key={r} className={rowActive ? "row-highlighted" : undefined} data-row={r}>
                  {row.map((cell) => {
                    const id = cellId({ docId, table: index, row: cell.row, col: cell.col });
                    const isHeader = cell.row < table.header_rows || cell.col < table.header_cols;
                    const isActive = id === activeId;
                    const cls = [isActive && "highlighted", cited.has(id) && "cited", cell.value !== null && cell.value !== undefined && "num"]
                      .filter(Boolean)
                      .join(" ");
                    const Tag = isHeader ? "th" : "td";
                    return (
                      <Tag
                        key={cell.col}
                        ref={isActive ? highlighted : undefined}
                        className={cls || undefined}
                        data-cell-id={id}
                        aria-current={isActive ? "true" : undefined}
                        scope={isHeader ? (cell.row < table.header_rows ? "col" : "row") : undefined}
                      >
                        {cell.text}
                      </Tag>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
