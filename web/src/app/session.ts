// The API key lives in sessionStorage: it survives a reload but not closing the tab.
import type { Role } from "../api/client";

const STORAGE_KEY = "finrag.apiKey";

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(STORAGE_KEY, key);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage disabled: the key lives only in memory */
  }
}

const RANK: Record<Role, number> = { viewer: 1, analyst: 2, admin: 3 };

/** True when `role` is at least `needed` (viewer < analyst < admin), as the API enforces. */
export function atLeast(role: string | undefined, needed: Role): boolean {
  return role !== undefined && (RANK[role as Role] ?? 0) >= RANK[needed];
}
