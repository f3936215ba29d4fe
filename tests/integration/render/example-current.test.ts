import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { packageVersion } from "../../../generator/init/package-root.js";
import { renderExample } from "../../../generator/render/example.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

describe("the committed rendering of the example fleet (docker-compose.yml, compose/)", () => {
  it("is what render writes for config/ today (regenerate: npm run render:example)", async () => {
    const { check } = await renderExample(REPO, { check: true, toolVersion: packageVersion() });
    expect(check?.stale, check?.diff).toEqual([]);
  });
});
