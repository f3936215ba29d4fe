import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { generatedOnDisk, IO_CONCURRENCY, mapLimit, readIfExists } from "./disk.js";
import type { ComposeModel } from "./model.js";
import { trackedOutputs } from "./outputs.js";

export interface CheckResult {
  stale: string[];
  /** Unified diff of every stale file (a/ = on disk, b/ = what render would write). */
  diff: string;
}

/** Compares what render would write with what is on disk, writing nothing (the GitOps gate). */
export async function checkRender(outDir: string, model: ComposeModel): Promise<CheckResult> {
  const outputs = trackedOutputs(model);
  const stale: string[] = [];
  const patches: string[] = [];
  const onDisk = await mapLimit([...outputs.keys()], IO_CONCURRENCY, (rel) =>
    readIfExists(join(outDir, rel)),
  );
  for (const [i, [rel, text]] of [...outputs].entries()) {
    const current = onDisk[i];
    if (current === text) continue;
    stale.push(rel);
    patches.push(
      createTwoFilesPatch(`a/${rel}`, `b/${rel}`, current ?? "", text, undefined, undefined, { context: 3 }),
    );
  }
  for (const rel of await generatedOnDisk(outDir)) {
    if (outputs.has(rel)) continue;
    stale.push(rel);
    const current = (await readIfExists(join(outDir, rel))) ?? "";
    patches.push(
      createTwoFilesPatch(`a/${rel}`, "/dev/null", current, "", undefined, undefined, { context: 3 }),
    );
  }
  return { stale, diff: patches.join("") };
}
