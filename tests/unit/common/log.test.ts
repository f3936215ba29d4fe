import { PassThrough } from "node:stream";
import Fastify from "fastify";
import { afterEach, describe, expect, test } from "vitest";
import { createLogger, logFormatOf, ServiceLogController } from "../../../services/common/log.js";

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l !== ""),
  };
}

describe("service logs", () => {
  test("are JSON lines by default", () => {
    const out = capture();
    createLogger({ service: "mesh" }, {}, out.stream).info({ agent: "alpha" }, "message delivered");
    createLogger({ service: "mesh" }, {}, out.stream).info({ token: "ol-secret-token" }, "redacted");
    const [line, redacted] = out.lines();
    expect(redacted).not.toContain("ol-secret-token");
    expect(JSON.parse(line ?? "")).toMatchObject({
      service: "mesh",
      agent: "alpha",
      msg: "message delivered",
      level: 30,
    });
  });

  test("are one readable line each with OPENLEGION_LOG_FORMAT=text, secrets redacted", () => {
    const out = capture();
    const log = createLogger({ service: "egress-proxy" }, { OPENLEGION_LOG_FORMAT: "text" }, out.stream);
    log.warn({ agent: "alpha", token: "ol-secret-token" }, "budget exceeded");
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: budget exceeded /);
    expect(lines[0]).toContain('"service":"egress-proxy"');
    expect(lines[0]).not.toContain("ol-secret-token");
    expect(() => JSON.parse(lines[0] ?? "")).toThrow();
  });

  test("refuse an unknown format with the variable's name", () => {
    expect(logFormatOf(undefined)).toBe("json");
    expect(() => logFormatOf("yaml")).toThrow(/OPENLEGION_LOG_FORMAT must be "json" or "text", got "yaml"/);
  });
});

describe("request log lines", () => {
  const apps: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  test("put health checks at debug and every other request at info", async () => {
    const out = capture();
    const app = Fastify({
      loggerInstance: createLogger({ service: "agent" }, {}, out.stream),
      logController: new ServiceLogController(),
    });
    apps.push(app);
    app.get("/healthz", async () => ({ ok: true }));
    app.get("/v1/status", async () => ({ ok: true }));
    await app.inject({ method: "GET", url: "/healthz" });
    expect(out.lines()).toEqual([]);
    await app.inject({ method: "GET", url: "/v1/status" });
    const urls = out.lines().map((l) => JSON.parse(l) as { msg: string });
    expect(urls.map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
  });
});
