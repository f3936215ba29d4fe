import { describe, expect, it } from "vitest";
import { listFiles, readRepoFile } from "./source-files.js";

// STYLE.md: aim for ≤ 300 lines, justify > 500, CI fails > 800 (generated files excepted).
const MAX_LINES = 800;

describe("source file size", () => {
  it(`keeps every hand-written TypeScript file under ${MAX_LINES} lines`, () => {
    const files = ["generator", "services", "tests"].flatMap((dir) =>
      listFiles(dir, (n) => n.endsWith(".ts")),
    );
    expect(files.length).toBeGreaterThan(10);
    const tooLong = files
      .map((file) => ({ file, lines: readRepoFile(file).split("\n").length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});
