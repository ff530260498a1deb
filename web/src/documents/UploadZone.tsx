// Drop files here or pick them with the (keyboard-focusable) file input inside the label.
import { useState, type DragEvent } from "react";

export const ACCEPT = ".pdf,.html,.htm,.xlsx,.csv,.json";

export function UploadZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length) onFiles(files);
  };
  return (
    <label
      className={`dropzone${over ? " dropzone-over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid="upload-zone"
    >
      <input
        type="file"
        multiple
        accept={ACCEPT}
        className="visually-hidden"
        data-testid="upload-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = "";
          if (files.length) onFiles(files);
        }}
      />
      <span className="dropzone-title">Drop reports here or <u>choose files</u></span>
      <span className="muted">PDF, HTML, XLSX, CSV or FinQA/TAT-QA JSON · several at once</span>
    </label>
  );
}
