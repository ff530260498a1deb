import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError, type Me } from "./api/client";
import { App } from "./App";
import { ADMIN, ANALYST, VIEWER, fakeApi } from "./test/fakes";

describe("sign-in", () => {
  it("rejects a bad key in place and signs in with a good one, showing the role", async () => {
    const me = vi.fn(async (key?: string) => {
      if (key !== "frk_good_secret") throw new ApiError(401, "AuthenticationError", "unknown API key");
      return ADMIN;
    });
    render(<App api={fakeApi(ADMIN, { me })} />);
    const user = userEvent.setup();
    const input = screen.getByTestId("api-key");
    expect(document.activeElement).toBe(input);

    await user.type(input, "frk_bad{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("That key was not accepted: unknown API key");
    expect(sessionStorage.getItem("finrag.apiKey")).toBeNull();

    await user.clear(input);
    await user.type(input, "frk_good_secret{Enter}");
    expect((await screen.findByTestId("role")).textContent).toBe("admin");
    expect(sessionStorage.getItem("finrag.apiKey")).toBe("frk_good_secret");
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("true"));
  });

  it("asks for a key before sending anything", async () => {
    const api = fakeApi(ADMIN);
    render(<App api={api} />);
    await userEvent.setup().click(screen.getByTestId("sign-in"));
    expect(screen.getByRole("alert").textContent).toContain("Paste an API key");
    expect(api.me).not.toHaveBeenCalled();
  });

  it("resumes a session from sessionStorage and signs out", async () => {
    sessionStorage.setItem("finrag.apiKey", "frk_saved");
    render(<App api={fakeApi(ANALYST)} />);
    expect((await screen.findByTestId("role")).textContent).toBe("analyst");
    await userEvent.setup().click(screen.getByTestId("sign-out"));
    expect(screen.getByTestId("api-key")).toBeTruthy();
    expect(sessionStorage.getItem("finrag.apiKey")).toBeNull();
  });
});

describe("role-based controls", () => {
  async function signedInAs(me: Me, path = "/documents") {
    sessionStorage.setItem("finrag.apiKey", "frk_x");
    window.history.replaceState(null, "", path);
    render(<App api={fakeApi(me)} />);
    await screen.findByTestId("role");
    if (path === "/documents") await screen.findByTestId("document-row");
  }

  it("viewers see no upload control, no delete buttons and cannot ask", async () => {
    await signedInAs(VIEWER);
    expect(screen.queryByTestId("upload-zone")).toBeNull();
    expect(screen.queryByTestId("upload-input")).toBeNull();
    expect(screen.queryByTestId("delete-document")).toBeNull();
    expect(screen.getByTestId("read-only-note").textContent).toContain("viewer");
    expect(screen.queryByTestId("nav-evaluation")).toBeNull();
    await userEvent.setup().click(screen.getByTestId("nav-ask"));
    expect(screen.queryByTestId("question")).toBeNull();
    expect(screen.getByTestId("ask-disabled").textContent).toContain("viewer");
  });

  it("analysts upload, delete and ask but have no admin screens", async () => {
    await signedInAs(ANALYST);
    expect(screen.getByTestId("upload-zone")).toBeTruthy();
    expect(screen.getAllByTestId("delete-document")).toHaveLength(1);
    expect(screen.queryByTestId("nav-evaluation")).toBeNull();
    await userEvent.setup().click(screen.getByTestId("nav-history"));
    await screen.findByTestId("history-item");
    expect(screen.queryByTestId("audit")).toBeNull();
  });

  it("admins also see the audit log with its chain status and the evaluation screen", async () => {
    await signedInAs(ADMIN, "/history");
    expect((await screen.findByTestId("audit-status")).textContent).toContain("Chain verified · 3 rows");
    expect(screen.getByTestId("nav-evaluation")).toBeTruthy();
  });
});

describe("asking", () => {
  it("asks with Enter, shows the answer card, and sends follow-ups in the same conversation", async () => {
    // Chromium's scrollIntoView returns a Promise; an effect must not hand it to React as cleanup.
    const scroll = vi.fn(() => Promise.resolve());
    Element.prototype.scrollIntoView = scroll as unknown as Element["scrollIntoView"];
    sessionStorage.setItem("finrag.apiKey", "frk_x");
    window.history.replaceState(null, "", "/ask");
    const api = fakeApi(ANALYST);
    render(<App api={api} />);
    const user = userEvent.setup();
    const box = await screen.findByTestId("question");
    await waitFor(() => expect(document.activeElement).toBe(box));
    await user.type(box, "What was the percentage change in net revenue from 2018 to 2019?{Enter}");
    expect((await screen.findByTestId("answer-value")).textContent).toBe("1.6%");
    expect(api.createConversation).toHaveBeenCalledTimes(1);
    expect(api.ask).toHaveBeenLastCalledWith({ question: "What was the percentage change in net revenue from 2018 to 2019?", doc_ids: null, conversation_id: "c1" });

    await user.type(screen.getByTestId("question"), "And in 2017?{Enter}");
    await waitFor(() => expect(api.ask).toHaveBeenCalledTimes(2));
    expect(api.ask).toHaveBeenLastCalledWith({ question: "And in 2017?", doc_ids: null, conversation_id: "c1" });
    expect(api.createConversation).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getAllByTestId("answer-card")).toHaveLength(2));
    expect(scroll).toHaveBeenCalled();
    expect(screen.queryByText(/Something went wrong/)).toBeNull();
    delete (Element.prototype as Partial<Element>).scrollIntoView;
  });

  it("shows a failed question's error in place", async () => {
    sessionStorage.setItem("finrag.apiKey", "frk_x");
    window.history.replaceState(null, "", "/ask");
    const api = fakeApi(ANALYST, { ask: vi.fn(async () => Promise.reject(new ApiError(502, "PlanningError", "the planner endpoint timed out"))) });
    render(<App api={api} />);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("question"), "Why?{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("the planner endpoint timed out");
  });
});
