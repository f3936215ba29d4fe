import { afterEach, describe, expect, it } from "vitest";
import { addressOf, as, type Harness, meshConfig, perms, removeDir, startMesh, tempDir } from "./helpers.js";

/** At boot the mesh subscribes each agent to the topics its can_subscribe names literally. */
describe("boot subscriptions", () => {
  let mesh: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await mesh?.close();
    if (dir) removeDir(dir);
    mesh = undefined;
    dir = undefined;
  });

  let config = meshConfig({});
  const topicsOf = async (agent: string) =>
    (
      await mesh!.app.inject({
        url: "/v1/subscriptions",
        headers: as(agent),
        remoteAddress: addressOf(config, agent),
      })
    ).json().topics as string[];

  it("subscribes literal topics only, keeps them across restarts without duplicates", async () => {
    dir = tempDir();
    config = meshConfig({
      bob: { permissions: perms({ can_subscribe: ["research_complete", "alerts/*", "jobs/**", "a?c"] }) },
      carol: { permissions: perms() },
    });
    mesh = await startMesh(config, { dir });
    expect(await topicsOf("bob")).toEqual(["research_complete"]);
    expect(await topicsOf("carol")).toEqual([]);
    // The agent may still unsubscribe; a restart re-adds the configured topic once.
    const del = await mesh.app.inject({
      method: "DELETE",
      url: "/v1/subscriptions?topic=research_complete",
      headers: as("bob"),
      remoteAddress: addressOf(config, "bob"),
    });
    expect(del.json()).toMatchObject({ removed: true });
    await mesh.close();
    mesh = await startMesh(config, { dir });
    await mesh.close();
    mesh = await startMesh(config, { dir });
    expect(await topicsOf("bob")).toEqual(["research_complete"]);
  });

  it("respects the per-agent subscription limit and audits what it skipped", async () => {
    config = meshConfig({ bob: { permissions: perms({ can_subscribe: ["one", "two", "three"] }) } });
    mesh = await startMesh(config, { limits: { subscriptions_per_agent: 2 } });
    expect(await topicsOf("bob")).toEqual(["one", "two"]);
    const rows = mesh.store.audit.query({ after: 0, actor: "mesh", limit: 50 });
    const boot = rows.find((r) => r.action === "subscriptions.boot");
    expect(boot?.outcome).toBe("error");
    expect(JSON.stringify(boot?.detail)).toContain('bob: \\"three\\": over the limit of 2');
  });
});
