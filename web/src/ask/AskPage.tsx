// Ask: a question scoped to the selected documents; follow-ups continue the conversation.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useApi } from "../api/api";
import type { Answer, Me } from "../api/client";
import { atLeast } from "../app/session";
import { InlineError, Skeleton } from "../components/Feedback";
import type { DocumentsState } from "../documents/useDocuments";
import { AnswerCard } from "./AnswerCard";

export interface Turn {
  question: string;
  answer?: Answer;
  error?: unknown;
}

/** The conversation outlives the Ask screen, so moving to History and back keeps it. */
export function useConversation() {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  return { turns, setTurns, conversationId, setConversationId };
}

interface Props {
  me: Me;
  documents: DocumentsState;
  selected: string[];
  onSelect: (ids: string[]) => void;
  conversation: ReturnType<typeof useConversation>;
}

export function AskPage({ me, documents, selected, onSelect, conversation: thread }: Props) {
  const api = useApi();
  const canAsk = atLeast(me.role, "analyst");
  const [question, setQuestion] = useState("");
  const { turns, setTurns, conversationId, setConversationId } = thread;
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const last = useRef<HTMLDivElement>(null);

  useEffect(() => {
    box.current?.focus();
  }, []);
  // Braces matter: Chromium's scrollIntoView now returns a Promise, which React would
  // take for an effect cleanup function.
  useEffect(() => {
    void last.current?.scrollIntoView?.({ block: "nearest" });
  }, [turns.length]);

  async function ask(event?: FormEvent) {
    event?.preventDefault();
    const text = question.trim();
    if (!text || busy) return;
    setBusy(true);
    setQuestion("");
    const index = turns.length;
    setTurns((t) => [...t, { question: text }]);
    try {
      let conversation = conversationId;
      if (!conversation) {
        conversation = (await api.createConversation(text)).id;
        setConversationId(conversation);
      }
      const answer = await api.ask({
        question: text,
        doc_ids: selected.length ? selected : null,
        conversation_id: conversation,
      });
      setTurns((t) => t.map((turn, i) => (i === index ? { ...turn, answer } : turn)));
    } catch (error) {
      setTurns((t) => t.map((turn, i) => (i === index ? { ...turn, error } : turn)));
    } finally {
      setBusy(false);
      box.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void ask();
    }
  }

  function newConversation() {
    setTurns([]);
    setConversationId(null);
    setQuestion("");
    box.current?.focus();
  }

  const docs = documents.items;
  return (
    <div className="page ask-page">
      <div className="page-head">
        <h1>Ask</h1>
        {turns.length > 0 && (
          <button type="button" onClick={newConversation} data-testid="new-conversation">New conversation</button>
        )}
      </div>
      <div className="ask-layout">
        <aside className="panel scope" aria-labelledby="scope-title">
          <h2 id="scope-title">Documents</h2>
          {docs === null ? (
            <Skeleton height={96} />
          ) : docs.length === 0 ? (
            <p className="empty">No documents yet: upload one first.</p>
          ) : (
            <fieldset>
              <legend className="muted small">{selected.length ? `${selected.length} selected` : "All documents (none selected)"}</legend>
              {docs.map((d) => (
                <label key={d.id} className="check">
                  <input
                    type="checkbox"
                    checked={selected.includes(d.id)}
                    onChange={() => onSelect(selected.includes(d.id) ? selected.filter((s) => s !== d.id) : [...selected, d.id])}
                  />
                  <span>{d.title || d.source}</span>
                </label>
              ))}
            </fieldset>
          )}
        </aside>
        <section className="thread" aria-label="Conversation">
          {turns.length === 0 && <p className="empty">Ask a numeric question about your reports, e.g. “What was the percentage change in net revenue from 2018 to 2019?”</p>}
          {turns.map((turn, i) => (
            <div key={i} ref={i === turns.length - 1 ? last : undefined} className="turn" data-testid="turn">
              {turn.answer ? (
                <AnswerCard answer={turn.answer} compact={i < turns.length - 1} />
              ) : turn.error ? (
                <div className="panel">
                  <p className="question">{turn.question}</p>
                  <InlineError error={turn.error} title="The question could not be answered" />
                </div>
              ) : (
                <div className="panel answer-pending" role="status" aria-label="Answering">
                  <p className="question">{turn.question}</p>
                  <Skeleton height={44} width="40%" />
                  <Skeleton height={20} width="80%" />
                  <Skeleton height={120} />
                </div>
              )}
            </div>
          ))}
          {canAsk ? (
            <form className="panel ask-form" onSubmit={(e) => void ask(e)}>
              <label htmlFor="question">{conversationId ? "Follow-up question" : "Question"}</label>
              <textarea
                id="question"
                ref={box}
                rows={2}
                maxLength={2000}
                value={question}
                onChange={(e) => setQuestion(e.target.value)}
                onKeyDown={onKeyDown}
                placeholder={conversationId ? "e.g. And what was it from 2017 to 2018?" : "What was the percentage change in net revenue from 2018 to 2019?"}
                aria-describedby="question-help"
                data-testid="question"
              />
              <div className="ask-actions">
                <span id="question-help" className="muted small">Enter to ask · Shift+Enter for a new line</span>
                <button type="submit" className="primary" disabled={busy || !question.trim()} data-testid="ask">
                  {busy ? "Answering…" : "Ask"}
                </button>
              </div>
            </form>
          ) : (
            <p className="notice" data-testid="ask-disabled">
              Asking needs an analyst or admin key; your key has the <strong>{me.role}</strong> role. Past answers are under History.
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
