import { existsSync, rmSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { operatorToken } from "../../../services/common/tokens.js";
import { type Harness, MASTER, meshConfig, perms, removeDir, startMesh } from "../mesh/helpers.js";
import { bundle } from "./stack.js";

/**
 * Issue #20 item 5 at size: a fleet of 50 agents and a run of 100 steps in the real browser. A page
 * load makes a bounded number of API calls (not one per agent), and both pages render every row.
 */
const CHROMIUM = process.env.OPENLEGION_CHROMIUM ?? "/usr/bin/chromium";
const IDS = Array.from({ length: 50 }, (_, i) => `agent-${String(i).padStart(2, "0")}`);
/** Ten chains of ten no-op steps: 100 steps, 90 edges. */
const STEPS = Array.from({ length: 100 }, (_, i) => ({
  id: `s${i}`,
  action: "noop",
  ...(i % 10 === 0 ? {} : { depends_on: [`s${i - 1}`] }),
}));

describe.skipIf(!existsSync(CHROMIUM))("the dashboard at fleet size (issue #20)", () => {
  let assets: { dir: string };
  let mesh: Harness;
  let url: string;
  let browser: Browser;
  let page: Page;
  const apiCalls: string[] = [];

  beforeAll(async () => {
    assets = await bundle();
    const config = meshConfig(Object.fromEntries(IDS.map((id) => [id, { permissions: perms() }])));
    config.workflows = [{ name: "wide", inputs: {}, steps: STEPS }] as unknown as MeshConfig["workflows"];
    mesh = await startMesh(config, { dashboardAssets: assets.dir });
    url = (await mesh.app.listen({ host: "127.0.0.1", port: 0 })).replace(/\/$/, "");
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/v1/")) apiCalls.push(path);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await mesh?.close();
    if (mesh) removeDir(mesh.dir);
    if (assets) rmSync(assets.dir, { recursive: true, force: true });
  });

  it("the fleet page shows all 50 agents with a handful of API calls", async () => {
    await page.goto(`${url}/dashboard`);
    await page.getByLabel("Operator token").fill(operatorToken(MASTER));
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("link", { name: "agent-49" }).waitFor();
    apiCalls.length = 0;
    const started = Date.now();
    await page.reload();
    await page.getByRole("link", { name: "agent-49" }).waitFor();
    console.log(`fleet of 50: first render ${Date.now() - started} ms`);
    expect(await page.locator("tbody tr").count()).toBeGreaterThanOrEqual(50);
    // status, costs, model health, the event feed (the session check is not under /v1).
    expect(new Set(apiCalls).size).toBeLessThanOrEqual(4);
    expect(apiCalls.length).toBeLessThanOrEqual(5);
  });

  it("a run of 100 steps draws every step and edge and finishes", async () => {
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("button", { name: "Run" }).click();
    await page.locator("h2 .pill").filter({ hasText: "succeeded" }).waitFor({ timeout: 20_000 });
    expect(await page.locator(".dag .node").count()).toBe(100);
    expect(await page.locator(".dag .edge").count()).toBe(90);
    expect(await page.locator(".dag .node.succeeded").count()).toBe(100);
  });
});
