import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/api";
import { ApiError } from "../api/client";
import { ANALYST, documentFixture, fakeApi, job } from "../test/fakes";
import { DocumentsPage } from "./DocumentsPage";
import { UploadList } from "./UploadList";
import type { UploadItem } from "./useUploads";

const base = { id: "u", name: "report.pdf", size: 2048, sent: 0 };

describe("UploadList", () => {
  it("shows each state with progress or the reason, in place", () => {
    const items: UploadItem[] = [
      { ...base, id: "1", phase: "uploading", sent: 0.42 },
      { ...base, id: "2", phase: "ingesting", sent: 1, job: job("running", { stage: "embed", done: 3, total: 8, progress: 0.6 }) },
      { ...base, id: "3", phase: "done", sent: 1, job: job("succeeded", { pages: 12, chunks: 340 }) },
      { ...base, id: "4", name: "notes.docx", phase: "rejected", error: "notes.docx is docx; this service accepts pdf, html" },
      { ...base, id: "5", phase: "failed", error: "no text and no tables found" },
    ];
    render(<UploadList items={items} onDismiss={() => {}} />);
    const rows = screen.getAllByTestId("upload-item");
    expect(rows.map((r) => r.dataset.state)).toEqual(["uploading", "ingesting", "done", "rejected", "failed"]);
    expect(within(rows[0]).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("42");
    expect(rows[0].textContent).toContain("42% of 2.0 KB sent");
    expect(rows[1].textContent).toContain("embed · 3/8 · 60%");
    expect(rows[2].textContent).toContain("12 pages, 340 evidence units");
    expect(within(rows[3]).getByRole("alert").textContent).toBe("notes.docx is docx; this service accepts pdf, html");
    expect(within(rows[3]).queryByRole("progressbar")).toBeNull();
    expect(within(rows[4]).getByRole("alert").textContent).toContain("no text and no tables");
  });
});

describe("uploading from the Documents screen", () => {
  function setup(api = fakeApi(ANALYST)) {
    const reload = vi.fn(async () => {});
    render(
      <ApiContext.Provider value={api}>
        <DocumentsPage me={ANALYST} documents={{ items: [documentFixture], error: null, reload }} selected={[]} onSelect={() => {}} onAsk={() => {}} />
      </ApiContext.Provider>,
    );
    return { api, reload };
  }

  it("uploads several files, follows the job, and shows a rejected file's reason", async () => {
    const api = fakeApi(ANALYST, {
      upload: vi.fn(async (file: File, onProgress: (f: number) => void) => {
        if (file.name.endsWith(".docx")) throw new ApiError(415, "UnsupportedFormatError", "notes.docx is docx; this service accepts pdf, html, xlsx, csv, finqa, tatqa");
        onProgress(0.5);
        return { upload_id: "u1", filename: file.name, format: "pdf", size_bytes: file.size, sha256: "", encrypted: false, job: job("queued") };
      }),
    });
    const { reload } = setup(api);
    const input = screen.getByTestId("upload-input") as HTMLInputElement;
    const pdf = new File(["%PDF-1.4 ..."], "income.pdf", { type: "application/pdf" });
    const bad = new File(["PK.."], "notes.docx");
    fireEvent.change(input, { target: { files: [pdf, bad] } });

    await waitFor(() => expect(screen.getAllByTestId("upload-item").map((r) => r.dataset.state)).toEqual(["done", "rejected"]), { timeout: 3000 });
    const [ok, rejected] = screen.getAllByTestId("upload-item");
    expect(ok.textContent).toContain("income.pdf");
    expect(ok.textContent).toContain("1 page, 4 evidence units");
    expect(within(rejected).getByRole("alert").textContent).toContain("this service accepts pdf");
    expect(api.getJob).toHaveBeenCalledWith("j1");
    expect(reload).toHaveBeenCalled();
  });

  it("accepts dropped files", async () => {
    const { api } = setup();
    const pdf = new File(["%PDF-1.4"], "dropped.pdf");
    fireEvent.drop(screen.getByTestId("upload-zone"), { dataTransfer: { files: [pdf] } });
    await waitFor(() => expect(api.upload).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId("upload-item").textContent).toContain("dropped.pdf");
  });

  it("shows the pages and tables counts of each document", () => {
    setup();
    expect(screen.getByTestId("doc-pages").textContent).toBe("1");
    expect(screen.getByTestId("doc-tables").textContent).toBe("1");
  });
});
