// The tenant's document list, shared by the Documents and Ask screens.
import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "../api/api";
import type { DocumentOut } from "../api/client";

export interface DocumentsState {
  items: DocumentOut[] | null;
  error: unknown;
  reload: () => Promise<void>;
}

/** `initial`: a list already fetched (at start-up, alongside /me); null fetches it now. */
export function useDocuments(initial: DocumentOut[] | null = null): DocumentsState {
  const api = useApi();
  const [items, setItems] = useState<DocumentOut[] | null>(initial);
  const fetched = useRef(initial !== null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setItems(await api.listDocuments());
      setError(null);
    } catch (exc) {
      setError(exc);
      setItems((prev) => prev ?? []);
    }
  }, [api]);
  useEffect(() => {
    if (fetched.current) return;
    fetched.current = true;
    void reload();
  }, [reload]);
  return { items, error, reload };
}
