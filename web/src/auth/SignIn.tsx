// Sign in with an API key. The key is checked against /me before it is kept.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useApi } from "../api/api";
import type { Me } from "../api/client";
import { ApiError } from "../api/client";
import { InlineError } from "../components/Feedback";

interface Props {
  onSignedIn: (key: string, me: Me) => void;
  notice?: string | null;
}

export function SignIn({ onSignedIn, notice }: Props) {
  const api = useApi();
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError(new Error("Paste an API key (it starts with frk_)."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api.me(trimmed);
      onSignedIn(trimmed, me);
    } catch (exc) {
      setError(
        exc instanceof ApiError && exc.status === 401
          ? new Error(`That key was not accepted: ${exc.detail}`)
          : exc,
      );
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <form className="panel signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span className="brand-mark" aria-hidden="true">F</span> FinRAG
        </h1>
        <p className="muted">Numeric answers from financial reports, with every number traced to its cell.</p>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="frk_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby="api-key-help"
          data-testid="api-key"
        />
        <p id="api-key-help" className="help">
          On its first start the embedded server writes an admin key to <code>~/.finrag/admin.key</code>{" "}
          (or <code>$FINRAG_DATA_DIR/admin.key</code>). Admins create more keys with{" "}
          <code>finrag keys create --role analyst</code>. The key is kept for this tab only.
        </p>
        <InlineError error={error} />
        <button type="submit" className="primary" disabled={busy} data-testid="sign-in">
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
