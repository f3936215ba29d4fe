import { describe, expect, it } from "vitest";
import { listFiles, readRepoFile } from "./source-files.js";

// STYLE.md: every failure has a stable code documented in docs/errors/*.md; no dead codes in the docs.
const CODE = /\bOL_ERR_[A-Z0-9_]+\b/g;

const codesIn = (files: string[]): Set<string> =>
  new Set(files.flatMap((f) => readRepoFile(f).match(CODE) ?? []));

describe("error codes", () => {
  const used = codesIn(["generator", "services"].flatMap((d) => listFiles(d, (n) => n.endsWith(".ts"))));
  const documented = codesIn(listFiles("docs/errors", (n) => n.endsWith(".md")));

  it("documents every code the source uses", () => {
    expect([...used].filter((c) => !documented.has(c)).sort()).toEqual([]);
  });

  it("documents no code the source no longer uses", () => {
    expect([...documented].filter((c) => !used.has(c)).sort()).toEqual([]);
  });
});
