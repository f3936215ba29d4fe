import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { get, type Harness, startHarness } from "./harness.js";

/** The agent's `GET /files` and `GET /files/*` (issue #20's workspace view): confined to /data. */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("agent server files routes", () => {
  it("lists a directory and serves a file of the data root, and nothing outside it", async () => {
    h = await startHarness();
    mkdirSync(join(h.dataDir, "artifacts"), { recursive: true });
    writeFileSync(join(h.dataDir, "artifacts", "a.txt"), "hello");
    symlinkSync("/etc/passwd", join(h.dataDir, "artifacts", "link"));

    const list = await get(h, "/files?path=artifacts");
    expect(list.status).toBe(200);
    const body = (await list.json()) as { entries: { name: string; kind: string; size: number }[] };
    expect(body.entries).toEqual([
      expect.objectContaining({ name: "a.txt", kind: "file", size: 5 }),
      expect.objectContaining({ name: "link", kind: "symlink" }),
    ]);
    const file = await get(h, "/files/artifacts/a.txt");
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("hello");

    const viaLink = await get(h, "/files/artifacts/link");
    expect(viaLink.status).toBe(400);
    expect(await viaLink.text()).not.toContain("root:");
    const up = await get(h, "/files?path=..");
    expect(up.status).toBe(400);
    expect((await get(h, "/files/nope.txt")).status).toBe(404);
    const noToken = await fetch(`${h.url}/files?path=.`);
    expect(noToken.status).toBe(401);
  });
});
