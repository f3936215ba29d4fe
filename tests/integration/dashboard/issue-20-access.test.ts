import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { operatorToken } from "../../../services/common/tokens.js";
import { ManualClock } from "../../../services/mesh/clock.js";
import {
  as,
  type Harness,
  MASTER,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
} from "../mesh/helpers.js";
import { bundle } from "./stack.js";

/**
 * Issue #20, item 2: who gets into the dashboard. The operator token or a one-time code becomes an
 * HttpOnly SameSite=Strict session cookie; the auth hook checks the session on every request and the
 * CSRF token on every state-changing one; agent tokens never get a session.
 */
let assets: string;
let mesh: Harness | undefined;
let clock: ManualClock;
beforeAll(async () => {
  assets = (await bundle()).dir;
}, 60_000);
afterAll(() => rmSync(assets, { recursive: true, force: true }));
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  mesh = undefined;
});

async function boot(): Promise<Harness> {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  mesh = await startMesh(meshConfig({ alice: { permissions: perms() } }), { dashboardAssets: assets, clock });
  return mesh;
}

async function login(m: Harness, body: unknown, headers: Record<string, string> = {}) {
  const res = await m.app.inject({
    method: "POST",
    url: "/dashboard/session",
    payload: body as object,
    headers,
  });
  const cookie = String(res.headers["set-cookie"] ?? "");
  return { res, cookie, pair: cookie.split(";")[0] ?? "" };
}

describe("dashboard access (issue #20)", () => {
  it("serves the page and assets under /dashboard with a strict CSP and no inline script", async () => {
    const m = await boot();
    const page = await m.app.inject({ method: "GET", url: "/dashboard" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    // Every <script> has a src and an empty body: nothing inline for the CSP to allow.
    for (const m2 of page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m2[1]).toContain('src="/dashboard/assets/');
      expect(m2[2]).toBe("");
    }
    const js = await m.app.inject({ method: "GET", url: "/dashboard/assets/app.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    const missing = await m.app.inject({ method: "GET", url: "/dashboard/assets/..%2Fplugin.js" });
    expect(missing.statusCode).toBe(404);
  });

  it("without a session the API answers 401 and the page shows the login", async () => {
    const m = await boot();
    expect((await m.app.inject({ method: "GET", url: "/dashboard/session" })).statusCode).toBe(401);
    const forged = await m.app.inject({
      method: "GET",
      url: "/v1/status",
      headers: { cookie: "ol_session=forged" },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe("OL_ERR_MESH_UNAUTHENTICATED");
  });

  it("refuses an agent token and an unknown token, and sets no cookie", async () => {
    const m = await boot();
    const agentToken = as("alice").authorization.slice("Bearer ".length);
    const agent = await login(m, { token: agentToken });
    expect(agent.res.statusCode).toBe(403);
    expect(agent.res.json().code).toBe("OL_ERR_MESH_WRONG_PRINCIPAL");
    expect(agent.cookie).toBe("");
    const bad = await login(m, { token: "x".repeat(43) });
    expect(bad.res.statusCode).toBe(401);
    expect(bad.cookie).toBe("");
    const both = await login(m, { token: "a", code: "b" });
    expect(both.res.statusCode).toBe(400);
    const denied = m.store.audit.query({ after: 0, limit: 100, outcome: "denied" });
    expect(denied.map((d) => [d.actor, d.action])).toContainEqual(["alice", "dashboard.login"]);
  });

  it("the operator token becomes an HttpOnly SameSite=Strict cookie; state changes need its CSRF token", async () => {
    const m = await boot();
    const { res, cookie, pair } = await login(m, { token: operatorToken(MASTER) });
    expect(res.statusCode).toBe(200);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=28800/);
    // The reply body carries the CSRF token, never the session id or the operator token.
    const { csrf } = res.json() as { csrf: string };
    expect(res.body).not.toContain(pair.split("=")[1]);
    expect(res.body).not.toContain(operatorToken(MASTER));

    const read = await m.app.inject({ method: "GET", url: "/v1/status", headers: { cookie: pair } });
    expect(read.statusCode).toBe(200);
    expect(read.json().agents[0].id).toBe("alice");

    // A cross-site form POST carries no CSRF token: refused, and nothing is queued.
    const noCsrf = await m.app.inject({
      method: "POST",
      url: "/v1/agents/alice/messages",
      headers: { cookie: pair, origin: "https://evil.example" },
      payload: { payload: "hi" },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe("OL_ERR_MESH_CSRF");
    const wrong = await m.app.inject({
      method: "POST",
      url: "/v1/agents/alice/messages",
      headers: { cookie: pair, "x-csrf-token": `${csrf}x` },
      payload: { payload: "hi" },
    });
    expect(wrong.statusCode).toBe(403);
    const crossSite = await m.app.inject({
      method: "POST",
      url: "/v1/agents/alice/messages",
      headers: { cookie: pair, "x-csrf-token": csrf, "sec-fetch-site": "cross-site" },
      payload: { payload: "hi" },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(m.store.inbox.stats().get("alice")?.pending ?? 0).toBe(0);

    const ok = await m.app.inject({
      method: "POST",
      url: "/v1/agents/alice/messages",
      headers: { cookie: pair, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" },
      payload: { payload: "hi" },
    });
    expect(ok.statusCode).toBe(202);
  });

  it("every request re-validates: logout and expiry end the session", async () => {
    const m = await boot();
    const a = await login(m, { token: operatorToken(MASTER) });
    const csrf = (a.res.json() as { csrf: string }).csrf;
    const out = await m.app.inject({
      method: "DELETE",
      url: "/dashboard/session",
      headers: { cookie: a.pair, "x-csrf-token": csrf },
    });
    expect(out.json()).toEqual({ ended: true });
    expect(String(out.headers["set-cookie"])).toMatch(/Max-Age=0/);
    expect(
      (await m.app.inject({ method: "GET", url: "/v1/status", headers: { cookie: a.pair } })).statusCode,
    ).toBe(401);

    const b = await login(m, { token: operatorToken(MASTER) });
    expect(
      (await m.app.inject({ method: "GET", url: "/v1/status", headers: { cookie: b.pair } })).statusCode,
    ).toBe(200);
    clock.advance(8 * 3_600_000 + 1);
    expect(
      (await m.app.inject({ method: "GET", url: "/v1/status", headers: { cookie: b.pair } })).statusCode,
    ).toBe(401);
  });

  it("a one-time code from `openlegion dashboard` logs in once, within two minutes", async () => {
    const m = await boot();
    const issued = await m.app.inject({ method: "POST", url: "/v1/dashboard/codes", headers: OPERATOR });
    expect(issued.statusCode).toBe(201);
    const { code } = issued.json() as { code: string };
    expect((await login(m, { code })).res.statusCode).toBe(200);
    expect((await login(m, { code })).res.statusCode).toBe(401);
    const late = (
      await m.app.inject({ method: "POST", url: "/v1/dashboard/codes", headers: OPERATOR })
    ).json() as {
      code: string;
    };
    clock.advance(120_001);
    expect((await login(m, { code: late.code })).res.statusCode).toBe(401);
    // Agents cannot mint codes.
    const agent = await m.app.inject({
      method: "POST",
      url: "/v1/dashboard/codes",
      headers: as("alice"),
      remoteAddress: "10.0.1.5",
    });
    expect(agent.statusCode).toBe(403);
  });
});
