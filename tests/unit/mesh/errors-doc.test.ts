import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("mesh error codes", () => {
  it("lists every code used by the mesh in docs/errors/mesh.md, and no dead codes", () => {
    const used = new Set(
      sources(join(root, "services/mesh")).flatMap(
        (f) => readFileSync(f, "utf8").match(/OL_ERR_MESH_[A-Z_]+/g) ?? [],
      ),
    );
    const documented = new Set(
      readFileSync(join(root, "docs/errors/mesh.md"), "utf8").match(/OL_ERR_MESH_[A-Z_]+/g) ?? [],
    );
    expect([...documented].sort()).toEqual([...used].sort());
  });
});
