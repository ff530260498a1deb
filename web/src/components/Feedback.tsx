// Inline messages and loading placeholders: errors are shown where they happened and
// skeletons keep the final height so nothing jumps when data arrives.
import { Component, type ErrorInfo, type ReactNode } from "react";
import { ApiError } from "../api/client";

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function InlineError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="inline-error" role="alert">
      {title && <strong>{title}: </strong>}
      {messageOf(error)}
    </div>
  );
}

export function Skeleton({ height, width = "100%", label }: { height: number; width?: string; label?: string }) {
  return <div className="skeleton" style={{ height, width }} aria-hidden={label ? undefined : true} aria-label={label} />;
}

export function SkeletonRows({ rows, height = 40 }: { rows: number; height?: number }) {
  return (
    <div className="skeleton-rows" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} />
      ))}
    </div>
  );
}

interface BoundaryState {
  error: Error | null;
}

/** Keeps a failing screen from blanking the app: shows the error and a way back. */
export class ErrorBoundary extends Component<{ children: ReactNode; where: string }, BoundaryState> {
  state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): BoundaryState {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`FinRAG UI error in ${this.props.where}`, error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="panel inline-error" role="alert">
        <h2>Something went wrong in {this.props.where}</h2>
        <p>{this.state.error.message}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
