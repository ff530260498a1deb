// Uploads in flight: bytes sent (XMLHttpRequest progress), then the ingestion job polled
// until it succeeds or fails. A rejected file keeps its row with the service's reason.
import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "../api/api";
import type { JobOut } from "../api/client";
import { messageOf } from "../components/Feedback";

export type UploadPhase = "uploading" | "queued" | "ingesting" | "done" | "failed" | "rejected";

export interface UploadItem {
  id: string;
  name: string;
  size: number;
  phase: UploadPhase;
  sent: number; // 0..1 of the bytes
  job?: JobOut;
  error?: string;
}

export const POLL_MS = 400;
let counter = 0;

export function useUploads(onIngested: () => void) {
  const api = useApi();
  const [items, setItems] = useState<UploadItem[]>([]);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const patch = useCallback((id: string, change: Partial<UploadItem>) => {
    if (alive.current) setItems((all) => all.map((it) => (it.id === id ? { ...it, ...change } : it)));
  }, []);

  const follow = useCallback(
    async (id: string, job: JobOut) => {
      let current = job;
      while (alive.current && current.status !== "succeeded" && current.status !== "failed") {
        await new Promise((r) => setTimeout(r, POLL_MS));
        try {
          current = await api.getJob(current.id);
        } catch (exc) {
          patch(id, { phase: "failed", error: `Lost track of the ingestion job: ${messageOf(exc)}` });
          return;
        }
        patch(id, { job: current, phase: current.status === "queued" ? "queued" : "ingesting" });
      }
      if (current.status === "succeeded") {
        patch(id, { phase: "done", job: current });
        onIngested();
      } else if (current.status === "failed") {
        patch(id, { phase: "failed", job: current, error: current.error ?? "ingestion failed" });
      }
    },
    [api, onIngested, patch],
  );

  const add = useCallback(
    (files: File[]) => {
      const fresh = files.map<UploadItem>((f) => ({
        id: `u${++counter}`,
        name: f.name,
        size: f.size,
        phase: "uploading",
        sent: 0,
      }));
      setItems((all) => [...fresh, ...all]);
      fresh.forEach((item, i) => {
        const file = files[i];
        if (file.size === 0) {
          patch(item.id, { phase: "rejected", error: `${file.name} is empty.` });
          return;
        }
        api
          .upload(file, (sent) => patch(item.id, { sent }))
          .then((accepted) => {
            patch(item.id, { sent: 1, phase: "queued", job: accepted.job });
            return follow(item.id, accepted.job);
          })
          .catch((exc: unknown) => patch(item.id, { phase: "rejected", error: messageOf(exc) }));
      });
    },
    [api, follow, patch],
  );

  const dismiss = useCallback((id: string) => setItems((all) => all.filter((it) => it.id !== id)), []);
  return { items, add, dismiss };
}
