import { describe, expect, it } from "vitest";
import { layout } from "../../../services/mesh/dashboard-ui/dag.js";
import { fileType } from "../../../services/mesh/modules/dashboard/agent-files.js";
import { concerns } from "../../../services/mesh/modules/dashboard/event-hub.js";
import {
  cookieValue,
  csrfMatches,
  DashboardSessions,
} from "../../../services/mesh/modules/dashboard/sessions.js";

describe("dashboard sessions", () => {
  it("expire, end, and stay bounded; codes work once", () => {
    let now = 1000;
    const s = new DashboardSessions(() => now, { ttlMs: 100, codeTtlMs: 10, maxSessions: 2, maxCodes: 1 });
    const a = s.create();
    const b = s.create();
    const c = s.create();
    expect(s.get(a.id)).toBeUndefined(); // the oldest was dropped beyond maxSessions
    expect(s.get(b.id)?.csrf).toBe(b.session.csrf);
    expect(csrfMatches(b.session, b.session.csrf)).toBe(true);
    expect(csrfMatches(b.session, c.session.csrf)).toBe(false);
    expect(csrfMatches(b.session, undefined)).toBe(false);
    expect(s.end(b.id)).toBe(true);
    expect(s.get(b.id)).toBeUndefined();
    now += 100;
    expect(s.get(c.id)).toBeUndefined();
    const first = s.issueCode();
    const second = s.issueCode();
    expect(s.redeem(first.code)).toBe(false); // bounded: one pending code
    expect(s.redeem(second.code)).toBe(true);
    expect(s.redeem(second.code)).toBe(false);
    const late = s.issueCode();
    now += 10;
    expect(s.redeem(late.code)).toBe(false);
  });

  it("reads one cookie out of a Cookie header", () => {
    expect(cookieValue("a=1; ol_session=xyz; b=2", "ol_session")).toBe("xyz");
    expect(cookieValue("xol_session=1", "ol_session")).toBeUndefined();
    expect(cookieValue(undefined, "ol_session")).toBeUndefined();
  });
});

describe("agent files in the browser", () => {
  it("are images only for raster types, text only for UTF-8, never HTML or SVG", () => {
    expect(fileType("a/shot.PNG", Buffer.from([0x89, 0x50]))).toEqual({ type: "image/png", download: false });
    expect(fileType("r.html", Buffer.from("<script>x</script>")).type).toBe("text/plain; charset=utf-8");
    expect(fileType("logo.svg", Buffer.from("<svg onload=x>")).type).toBe("text/plain; charset=utf-8");
    expect(fileType("blob.bin", Buffer.from([0, 1, 2, 0xff]))).toEqual({
      type: "application/octet-stream",
      download: true,
    });
  });
});

describe("the event feed filter", () => {
  it("gives an agent its own actions, actions on it and its LLM calls", () => {
    const audit = {
      type: "audit",
      id: 1,
      at: 0,
      actor: "operator",
      action: "chat",
      target: "alice",
      outcome: "ok",
      code: null,
      detail: null,
    } as const;
    const llm = {
      type: "llm",
      id: 1,
      at: 0,
      agent: "bob",
      model: "m",
      status: 200,
      input_tokens: 1,
      output_tokens: 1,
      cost_usd: 0,
      latency_ms: 1,
      error_code: null,
    } as const;
    expect(concerns(audit, "alice")).toBe(true);
    expect(concerns(audit, "bob")).toBe(false);
    expect(concerns(llm, "bob")).toBe(true);
    expect(concerns(llm, "alice")).toBe(false);
    expect(concerns(llm, null)).toBe(true);
    const write = { type: "blackboard", key: "tasks/a", version: 1, op: "put", by: "alice", at: 0 } as const;
    expect(concerns(write, "alice")).toBe(true);
    expect(concerns(write, "bob")).toBe(false);
  });
});

describe("workflow DAG layout", () => {
  it("puts each step one column after the deepest step it waits for, with an edge per dependency", () => {
    const { nodes, edges } = layout([
      { id: "a", depends_on: [] },
      { id: "b", depends_on: ["a"] },
      { id: "c", depends_on: ["a"] },
      { id: "d", depends_on: ["b", "c", "missing"] },
    ]);
    expect(nodes.map((n) => [n.id, n.col, n.row])).toEqual([
      ["a", 0, 0],
      ["b", 1, 0],
      ["c", 1, 1],
      ["d", 2, 0],
    ]);
    expect(edges.map((e) => `${e.from}>${e.to}`)).toEqual(["a>b", "a>c", "b>d", "c>d"]);
  });
});
