import { join } from "node:path";
import { generatedOnDisk, readIfExistsSync } from "./disk.js";
import type { ComposeModel } from "./model.js";
import { type RenderTarget, trackedOutputs } from "./outputs.js";

export interface CheckResult {
  stale: string[];
  /** Unified diff of every stale file (a/ = on disk, b/ = what render would write). */
  diff: string;
}

/** Compares what render would write with what is on disk, writing nothing (the GitOps gate). */
export async function checkRender(
  outDir: string,
  model: ComposeModel,
  target: RenderTarget = "compose",
): Promise<CheckResult> {
  const outputs = trackedOutputs(model, target);
  // [path, on disk, wanted]; reads are synchronous for the reason given in disk.ts.
  const changes: [string, string, string][] = [];
  for (const [rel, text] of outputs) {
    const current = readIfExistsSync(join(outDir, rel));
    if (current !== text) changes.push([rel, current ?? "", text]);
  }
  for (const rel of generatedOnDisk(outDir)) {
    if (!outputs.has(rel)) changes.push([rel, readIfExistsSync(join(outDir, rel)) ?? "", ""]);
  }
  if (changes.length === 0) return { stale: [], diff: "" };
  // Only a stale tree needs a diff: the up-to-date path (every CI run) never loads the library.
  const { createTwoFilesPatch } = await import("diff");
  const patches = changes.map(([rel, current, text]) =>
    createTwoFilesPatch(
      `a/${rel}`,
      outputs.has(rel) ? `b/${rel}` : "/dev/null",
      current,
      text,
      undefined,
      undefined,
      { context: 3 },
    ),
  );
  return { stale: changes.map(([rel]) => rel), diff: patches.join("") };
}
