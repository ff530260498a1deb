// The "app ready" marker the end-to-end test measures first load with: a performance mark
// and a data attribute, set once per page load when the first screen has its data.
export const READY_MARK = "finrag:ready";

let marked = false;

export function markReady(): void {
  if (marked) return;
  marked = true;
  try {
    performance.mark(READY_MARK);
  } catch {
    /* performance API unavailable */
  }
  document.documentElement.dataset.ready = "true";
}
