// Writes build-info.json next to the built bundle: a sha256 over the sources the bundle is
// built from. tests/web/test_bundle_fresh.py recomputes the same hash in Python (keep the
// two in step; the algorithm is described in docs/ui.md).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const web = fileURLToPath(new URL("..", import.meta.url));
const outDir = join(web, "..", "src", "finrag", "service", "static");
const TOP_FILES = ["index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json"];

// Test files do not reach the bundle, so editing a test does not make the bundle stale.
const isTest = (rel) => /\.test\.tsx?$/.test(rel) || rel.startsWith("src/test/");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

export function sourceFiles() {
  const src = walk(join(web, "src")).map((f) => relative(web, f).split(sep).join("/"));
  return [...TOP_FILES, ...src.filter((rel) => !isTest(rel))].sort();
}

export function sourcesHash(files = sourceFiles()) {
  const outer = createHash("sha256");
  for (const rel of files) {
    const inner = createHash("sha256").update(readFileSync(join(web, rel))).digest("hex");
    outer.update(`${rel}\0${inner}\n`);
  }
  return outer.digest("hex");
}

const files = sourceFiles();
const assets = readdirSync(join(outDir, "assets")).sort();
const info = {
  sources_sha256: sourcesHash(files),
  files: files.length,
  assets,
  node: process.version,
  rebuild: "make web",
};
writeFileSync(join(outDir, "build-info.json"), JSON.stringify(info, null, 2) + "\n");
console.log(`build-info.json: ${info.sources_sha256} over ${files.length} files`);
