import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { cleanupTempDirs, runCli, tempDir } from "../../unit/cli/helpers.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const REGENERATE =
  "regenerate it: openlegion init /tmp/ex --template sales --yes && cp -r /tmp/ex/config/. config/ && cp /tmp/ex/PROJECT.md .";

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

afterEach(cleanupTempDirs);

describe("the example fleet in config/", () => {
  it("is exactly what `init --template sales --yes` writes (apart from .env)", async () => {
    const dir = tempDir();
    expect((await runCli(["init", dir, "--template", "sales", "--yes"])).code).toBe(0);
    const committed = filesUnder(join(REPO, "config")).sort();
    const rendered = filesUnder(join(dir, "config")).sort();
    expect(committed, REGENERATE).toEqual(rendered);
    // init picks a port and pool free on this host (issue 16): the committed file has the defaults.
    const defaults = (text: string) =>
      text
        .replace(/^ {2}port: \d+$/m, "  port: 8420")
        .replace(/subnet_pool: "[^"]+"/, 'subnet_pool: "10.231.0.0/16"');
    for (const file of rendered) {
      expect(readFileSync(join(REPO, "config", file), "utf8"), `config/${file}: ${REGENERATE}`).toBe(
        defaults(readFileSync(join(dir, "config", file), "utf8")),
      );
    }
    expect(readFileSync(join(REPO, "PROJECT.md"), "utf8"), REGENERATE).toBe(
      readFileSync(join(dir, "PROJECT.md"), "utf8"),
    );
  });

  it("loads as a valid fleet from the repository root", async () => {
    const fleet = await loadFleet(REPO);
    expect(fleet.agents.map((a) => a.id)).toEqual(["outreach", "qualifier", "researcher"]);
    expect(fleet.workflows.map((w) => w.name)).toEqual(["prospect_pipeline"]);
  });
});
