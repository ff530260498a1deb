// The shell: sign-in, the header with the role, navigation, and one screen at a time.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiContext, httpApi, type FinragApi } from "./api/api";
import { ApiError, type DocumentOut, type Me } from "./api/client";
import { SignIn } from "./auth/SignIn";
import { ErrorBoundary, InlineError, Skeleton } from "./components/Feedback";
import { AskPage, useConversation } from "./ask/AskPage";
import { DocumentsPage } from "./documents/DocumentsPage";
import { EvaluationPage } from "./evaluation/EvaluationPage";
import { HistoryPage } from "./history/HistoryPage";
import { markReady } from "./app/ready";
import { useRoute, type Route } from "./app/router";
import { atLeast, loadKey, saveKey } from "./app/session";
import { useDocuments } from "./documents/useDocuments";

const TITLES: Record<Route, string> = {
  documents: "Documents",
  ask: "Ask",
  history: "History",
  evaluation: "Evaluation",
};

type Session = { state: "checking" } | { state: "signed-out"; notice?: string } | { state: "in"; me: Me; documents?: DocumentOut[] | null } | { state: "error"; error: unknown };

export function App({ api: injected }: { api?: FinragApi }) {
  const [key, setKey] = useState<string | null>(loadKey);
  const api = useMemo(() => injected ?? httpApi(() => key), [injected, key]);
  const [session, setSession] = useState<Session>(() => (key ? { state: "checking" } : { state: "signed-out" }));

  const signOut = useCallback((notice?: string) => {
    saveKey(null);
    setKey(null);
    setSession({ state: "signed-out", notice });
  }, []);

  useEffect(() => {
    if (session.state !== "checking") return;
    let live = true;
    // The document list is fetched alongside /me so the first screen needs one round trip.
    Promise.all([api.me(), api.listDocuments().catch(() => null)])
      .then(([me, documents]) => live && setSession({ state: "in", me, documents }))
      .catch((error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) signOut("Your saved key is no longer accepted; sign in again.");
        else setSession({ state: "error", error });
      });
    return () => {
      live = false;
    };
  }, [api, session.state, signOut]);

  useEffect(() => {
    if (session.state === "signed-out" || session.state === "error") markReady();
  }, [session.state]);

  let body;
  if (session.state === "signed-out") {
    body = (
      <SignIn
        notice={session.notice}
        onSignedIn={(newKey, me) => {
          saveKey(newKey);
          setKey(newKey);
          setSession({ state: "in", me });
        }}
      />
    );
  } else if (session.state === "checking") {
    body = <ShellSkeleton />;
  } else if (session.state === "error") {
    body = (
      <main className="signin" id="main">
        <div className="panel signin-card">
          <InlineError error={session.error} title="Cannot reach the FinRAG service" />
          <button type="button" onClick={() => setSession({ state: "checking" })}>Retry</button>{" "}
          <button type="button" onClick={() => signOut()}>Use another key</button>
        </div>
      </main>
    );
  } else {
    body = <SignedIn me={session.me} initialDocuments={session.documents ?? null} onSignOut={() => signOut()} />;
  }
  return <ApiContext.Provider value={api}>{body}</ApiContext.Provider>;
}

function ShellSkeleton() {
  return (
    <div className="shell" aria-busy="true">
      <header className="topbar">
        <span className="brand"><span className="brand-mark" aria-hidden="true">F</span> FinRAG</span>
      </header>
      <main className="content" id="main">
        <Skeleton height={180} />
      </main>
    </div>
  );
}

function SignedIn({ me, initialDocuments, onSignOut }: { me: Me; initialDocuments: DocumentOut[] | null; onSignOut: () => void }) {
  const [route, navigate] = useRoute();
  const documents = useDocuments(initialDocuments);
  const [selected, setSelected] = useState<string[]>([]);
  const conversation = useConversation();
  const routes: Route[] = atLeast(me.role, "admin") ? ["documents", "ask", "history", "evaluation"] : ["documents", "ask", "history"];
  const shown: Route = routes.includes(route) ? route : "documents";

  useEffect(() => {
    document.title = `${TITLES[shown]} · FinRAG`;
  }, [shown]);

  useEffect(() => {
    if (documents.items !== null) markReady();
  }, [documents.items]);

  // Drop selections of documents that were deleted.
  useEffect(() => {
    if (documents.items) setSelected((s) => s.filter((id) => documents.items!.some((d) => d.id === id)));
  }, [documents.items]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand"><span className="brand-mark" aria-hidden="true">F</span> FinRAG</span>
        <nav aria-label="Main">
          <ul>
            {routes.map((r) => (
              <li key={r}>
                <a
                  href={`/${r}`}
                  aria-current={r === shown ? "page" : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey) return;
                    e.preventDefault();
                    navigate(r);
                  }}
                  data-testid={`nav-${r}`}
                >
                  {TITLES[r]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className={`role role-${me.role}`} data-testid="role" title={`key ${me.key_id}, tenant ${me.tenant}`}>
            {me.role}
          </span>
          <span className="muted tenant">{me.tenant}</span>
          <button type="button" className="link" onClick={onSignOut} data-testid="sign-out">Sign out</button>
        </div>
      </header>
      <main className="content" id="main" tabIndex={-1}>
        <ErrorBoundary where={TITLES[shown]} key={shown}>
          {shown === "documents" && (
            <DocumentsPage
              me={me}
              documents={documents}
              selected={selected}
              onSelect={setSelected}
              onAsk={() => navigate("ask")}
            />
          )}
          {shown === "ask" && <AskPage me={me} documents={documents} selected={selected} onSelect={setSelected} conversation={conversation} />}
          {shown === "history" && <HistoryPage me={me} />}
          {shown === "evaluation" && <EvaluationPage />}
        </ErrorBoundary>
      </main>
    </div>
  );
}
