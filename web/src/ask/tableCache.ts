// Parsed tables are immutable per document id (ids hash the content), so they are cached.
import type { FinragApi } from "../api/api";
import type { TableOut } from "../api/client";

const cache = new WeakMap<FinragApi, Map<string, Promise<TableOut>>>();

export function loadTable(api: FinragApi, docId: string, index: number): Promise<TableOut> {
  let byKey = cache.get(api);
  if (!byKey) cache.set(api, (byKey = new Map()));
  const key = `${docId}:${index}`;
  let found = byKey.get(key);
  if (!found) {
    found = api.getTable(docId, index);
    found.catch(() => byKey!.delete(key));
    byKey.set(key, found);
  }
  return found;
}
