import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { KEYS, MASTER_KEY } from "../egress-proxy/harness.js";
import { bundle, type DashboardStack, startDashboardStack } from "./stack.js";

/**
 * Issue #20 in a real browser: Debian's headless Chromium driven by playwright-core against the real
 * mesh, egress proxy and agent on loopback (the LLM is the fake provider). One user session walks
 * every page in order, saving a screenshot of each (see SHOTS). Skipped (with the reason) without Chromium.
 */
const CHROMIUM = process.env.OPENLEGION_CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots: a temp dir by default; `OPENLEGION_SCREENSHOTS=docs/dashboard` refreshes the docs' copies. */
const SHOTS = `${resolve(process.env.OPENLEGION_SCREENSHOTS ?? join(tmpdir(), "openlegion-dashboard-shots"))}/`;
const WORKFLOWS = [
  {
    name: "gated",
    inputs: {},
    steps: [
      { id: "ok", action: "approval" },
      { id: "go", agent: "alice", task_type: "ship", depends_on: ["ok"], input_from: "inputs" },
    ],
  },
] as unknown as MeshConfig["workflows"];
const HOSTILE =
  'Hi <script>window.__pwned="script"</script><img src=x onerror="window.__pwned=\'img\'"> ' +
  "<a href=\"javascript:window.__pwned='link'\">click me</a> [md](javascript:alert(1)) done.";

if (!existsSync(CHROMIUM)) console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!existsSync(CHROMIUM))("the dashboard in Chromium (issue #20)", () => {
  let assets: { dir: string; sizes: Record<string, number> };
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  /** Every response body the browser received, for the canary check. */
  const bodies: { url: string; text: string }[] = [];

  beforeAll(async () => {
    assets = await bundle();
    stack = await startDashboardStack(assets.dir, WORKFLOWS);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("response", async (res) => {
      const type = res.headers()["content-type"] ?? "";
      if (type.includes("event-stream")) return;
      const text = await res.text().catch(() => "");
      bodies.push({ url: res.url(), text: `${JSON.stringify(res.headers())}\n${text}` });
    });
    mkdirSync(SHOTS, { recursive: true });
    console.log(`dashboard screenshots: ${SHOTS}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (assets) rmSync(assets.dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png` });

  it("no session: the page asks for the operator token; an agent token is refused", async () => {
    await page.goto(`${stack.url}/dashboard`);
    await page.getByLabel("Operator token").waitFor();
    await page.getByLabel("Operator token").fill(stack.agentToken);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").filter({ hasText: "operator token" }).waitFor();
    await shot("login");
  });

  it("logs in and shows the fleet; measures the first render of the fleet page", async () => {
    await page.getByLabel("Operator token").fill(stack.operator);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("link", { name: "alice" }).waitFor();
    await expect.poll(() => page.locator("td").filter({ hasText: /^up/ }).count()).toBeGreaterThan(0);
    // The agent's own /healthz state, relayed by GET /v1/status.
    await page.locator("td .pill").filter({ hasText: "idle" }).waitFor();
    // A reload with the session cookie: time from navigation to the fleet table on screen.
    const started = Date.now();
    await page.reload();
    await page.getByRole("link", { name: "alice" }).waitFor();
    console.log(
      `dashboard fleet first render: ${Date.now() - started} ms; assets ${JSON.stringify(assets.sizes)}`,
    );
    await shot("fleet");
  });

  it("chats with alice: the reply streams in as inert text, the LLM call shows in her event stream", async () => {
    stack.proxy.fake.script("openai", { text: HOSTILE, usage: { input: 1200, output: 300 } });
    await page.getByRole("link", { name: "alice" }).click();
    await page.getByLabel("Message").fill("say hi");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page.locator(".turns li.theirs pre.reply");
    await expect.poll(() => reply.textContent(), { timeout: 15_000 }).toContain("done.");
    // The markup arrived as text: shown literally, nothing created, nothing ran.
    expect(await reply.textContent()).toContain("<script>");
    expect(await page.locator(".turns img, .turns script, .turns a").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
    const llm = page.locator(".events li.llm");
    await expect.poll(() => llm.first().textContent(), { timeout: 15_000 }).toContain("openai/gpt-4o-mini");
    expect(await llm.first().textContent()).toContain("1200 in / 300 out");
    await page.locator(".heartbeat").filter({ hasText: "defaults" }).waitFor();
    await shot("agent");
  });

  it("shows a reply as it streams, and Cancel stops the turn", async () => {
    stack.proxy.fake.script("openai", {
      fault: "never_end",
      afterChunks: 3,
      answer: { text: "Part one of a long answer, and part two never comes" },
    });
    const aborts = stack.proxy.fake.aborted.length;
    await page.getByLabel("Message").fill("tell me a long story");
    await page.getByRole("button", { name: "Send" }).click();
    // The first chunks are on screen while the turn is still running (no done event yet).
    const reply = page.locator(".turns li.theirs pre.reply").last();
    await expect.poll(() => reply.textContent(), { timeout: 15_000 }).not.toBe("");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("alert").filter({ hasText: "cancelled" }).waitFor();
    await page.getByRole("button", { name: "Send" }).waitFor();
    await stack.proxy.fake.waitForAborts(aborts + 1);
  });

  it("shows alice's workspace and artifacts: images as images, HTML as inert text, nothing outside /data", async () => {
    const artifacts = join(stack.agent.dataDir, "artifacts");
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(
      join(artifacts, "shot.png"),
      await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 40 } }),
    );
    writeFileSync(join(artifacts, "report.html"), '<script>window.__pwned="file"</script><b>report</b>');
    await page.getByRole("button", { name: "Artifacts" }).click();
    await page.getByRole("button", { name: "shot.png" }).click();
    const img = page.locator("img.artifact");
    await expect
      .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(120);
    await page.getByRole("button", { name: "report.html" }).click();
    await page.locator(".file pre").filter({ hasText: "<script>" }).waitFor();
    expect(await page.locator(".file b").count()).toBe(0);
    const direct = await page.evaluate(async () => {
      const r = await fetch("/v1/agents/alice/files/artifacts/report.html");
      return { type: r.headers.get("content-type"), csp: r.headers.get("content-security-policy") };
    });
    expect(direct.type).toMatch(/^text\/plain/);
    expect(direct.csp).toContain("sandbox");
    const outside = await page.evaluate(
      async () => (await fetch("/v1/agents/alice/files/..%2F..%2Fetc%2Fpasswd")).status,
    );
    expect(outside).toBe(400);
    expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
    await shot("agent-files");
  });

  it("shows the call's cost on the costs page", async () => {
    await page.getByRole("link", { name: "Costs" }).click();
    const row = page.locator("tr").filter({ hasText: "openai/gpt-4o-mini" });
    await row.first().waitFor();
    expect(await row.first().textContent()).not.toContain("$0.0000");
    await page.locator(".chart canvas").waitFor();
    await shot("costs");
  });

  it("runs a workflow with inputs, approves its waiting step and watches the run finish", async () => {
    stack.proxy.fake.script("openai", { text: "shipped", usage: { input: 10, output: 2 } });
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("button", { name: "Run" }).click();
    await page
      .locator("h2")
      .filter({ hasText: "waiting" })
      .or(page.getByRole("button", { name: "Approve" }))
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.locator("h2 .pill").filter({ hasText: "succeeded" }).waitFor({ timeout: 20_000 });
    // Drawn from the definition's graph: two steps, one edge (go waits for ok), both finished.
    expect(await page.locator(".dag .node").count()).toBe(2);
    expect(await page.locator(".dag .edge").count()).toBe(1);
    expect(await page.locator(".dag .node.succeeded").count()).toBe(2);
    await shot("workflows");
  });

  it("freezes alice after a confirmation, and her next call is refused", async () => {
    await page.getByRole("link", { name: "Fleet" }).click();
    await page.getByRole("button", { name: "Freeze" }).click();
    await page.getByRole("button", { name: "Yes, freeze" }).click();
    await page.locator(".pill").filter({ hasText: "frozen" }).waitFor();
    const before = stack.proxy.fake.requests.length;
    await page.getByRole("link", { name: "alice" }).click();
    await page.getByLabel("Message").fill("are you there?");
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /frozen/ })
      .waitFor({ timeout: 15_000 });
    expect(stack.proxy.fake.requests.length).toBe(before);
    await page.getByRole("link", { name: "Fleet" }).click();
    await page.getByRole("button", { name: "Unfreeze" }).click();
    await page.getByRole("button", { name: "Freeze" }).waitFor();
  });

  it("browses the blackboard and watches a write arrive live", async () => {
    await page.getByRole("link", { name: "Blackboard" }).click();
    await page.getByRole("status").filter({ hasText: "live" }).waitFor();
    const put = await fetch(`${stack.url}/v1/blackboard/tasks/t1`, {
      method: "PUT",
      headers: { authorization: `Bearer ${stack.agentToken}`, "content-type": "application/json" },
      body: JSON.stringify({ value: { title: "<b>bold?</b>" } }),
    });
    expect(put.status).toBe(201);
    // The change arrives on the live feed, and the listing follows it without a reload.
    await page.locator("td").filter({ hasText: "tasks/t1" }).first().waitFor();
    await page.getByRole("button", { name: "tasks/t1" }).click();
    await page.getByRole("heading", { name: /History of/ }).waitFor();
    expect(await page.locator("b").count()).toBe(0);
    await shot("blackboard");
    // alice's write is in her own event stream too.
    await page.goto(`${stack.url}/dashboard#/agent/alice`);
    await page.locator(".events li.blackboard").filter({ hasText: "put tasks/t1" }).waitFor();
  });

  it("lists denials and operator actions in the audit log, filterable", async () => {
    await page.getByRole("link", { name: "Audit" }).click();
    await page.locator("td").filter({ hasText: "dashboard.login" }).first().waitFor();
    await page.getByLabel("Outcome").selectOption("ok");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("td").filter({ hasText: "agent.freeze" }).first().waitFor();
    await shot("audit");
  });

  it("works at phone width and by keyboard", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole("link", { name: "Fleet" }).click();
    await page.getByRole("link", { name: "alice" }).waitFor();
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}fleet-phone.png` });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.locator("header .brand").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Fleet");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Costs" }).waitFor();
  });

  it("logs out: the cookie no longer opens the API", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Operator token").waitFor();
    const status = await page.evaluate(async () => (await fetch("/v1/status")).status);
    expect(status).toBe(401);
  });

  it("no page, asset or API response carried a secret", async () => {
    expect(bodies.length).toBeGreaterThan(20);
    const secrets = [MASTER_KEY, stack.operator, stack.agentToken, ...Object.values(KEYS)];
    for (const { url, text } of bodies)
      for (const s of secrets) expect(text.includes(s), `${s} in ${url}`).toBe(false);
  });
});
