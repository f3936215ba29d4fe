import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { TEMPLATES } from "../../../generator/init/options.js";
import { compile, trackedOutputs } from "../../../generator/render/index.js";
import { removeDir, templateFleet } from "../../fixtures/render/cli.js";

const GOLDEN = join(import.meta.dirname, "../../fixtures/render/golden");
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe("golden renders of the team templates", () => {
  it.each(TEMPLATES)("%s", async (template) => {
    const dir = await templateFleet(template);
    dirs.push(dir);
    const model = compile(await loadFleet(dir, { requireEnv: true }), { toolVersion: "0.0.0-test" });
    const outputs = trackedOutputs(model);
    for (const [path, text] of outputs) {
      await expect(text).toMatchFileSnapshot(
        join(GOLDEN, template, path === "docker-compose.yml" ? path : `${path}.golden`),
      );
    }
    expect(await readFile(join(dir, ".env"), "utf8")).not.toBe("");
  });
});
