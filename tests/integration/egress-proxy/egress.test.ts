import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Resolver } from "../../../services/egress-proxy/net/resolver.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let target: Server;
let targetPort = 0;
let hits: string[] = [];

/** Test names → loopback only; nothing is ever sent to DNS. */
const resolver: Resolver = async (host) => {
  if (host === "target.test") return [{ address: "127.0.0.1", family: 4 }];
  if (host === "private.test") return [{ address: "10.0.0.7", family: 4 }];
  if (host === "rebind.test") return [{ address: "169.254.169.254", family: 4 }];
  throw new Error("ENOTFOUND");
};

beforeEach(async () => {
  hits = [];
  target = createServer((req, res) => {
    hits.push(
      `${req.method} ${req.headers.host} ${req.url} auth=${req.headers.authorization ?? ""} proxy=${req.headers["proxy-authorization"] ?? ""}`,
    );
    res.end("target says hi");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as AddressInfo).port;
});
afterEach(async () => {
  await stack?.close();
  await new Promise((r) => target.close(r));
});

const start = (cidrs: string[]) =>
  startStack(
    (c) => {
      if (c.agents.alice)
        c.agents.alice.allowed_hosts = [
          `target.test:${targetPort}`,
          `private.test:${targetPort}`,
          `rebind.test:${targetPort}`,
          `127.0.0.1:${targetPort}`,
        ];
      c.allow_private_cidrs = cidrs;
    },
    { resolver },
  );

function forward(url: string, token: string | undefined): Promise<{ status: number; body: string }> {
  const proxy = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: proxy.hostname,
        port: proxy.port,
        method: "GET",
        path: url,
        headers: token ? { "proxy-authorization": `Bearer ${token}` } : {},
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function tunnel(authority: string, token: string | undefined): Promise<{ head: string; body: string }> {
  const proxy = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(proxy.port), proxy.hostname);
    let data = "";
    let sent = false;
    socket.on("data", (c) => {
      data += c;
      if (!sent && data.startsWith("HTTP/1.1 200")) {
        sent = true;
        socket.write(`GET /inside HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      }
    });
    socket.on("end", () => resolve({ head: data.split("\r\n")[0] ?? "", body: data }));
    socket.on("error", reject);
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${token ? `proxy-authorization: Bearer ${token}\r\n` : ""}\r\n`,
    );
  });
}

describe("forward proxy", () => {
  test("an allowed host reaches the loopback target when 127.0.0.0/8 is allowed; proxy credentials are not forwarded", async () => {
    stack = await start(["127.0.0.0/8"]);
    const res = await forward(`http://target.test:${targetPort}/path?x=1`, stack.token("alice"));
    expect(res).toEqual({ status: 200, body: "target says hi" });
    expect(hits).toEqual([`GET target.test:${targetPort} /path?x=1 auth= proxy=`]);
  });
  test("CONNECT to an allowed host tunnels bytes to the checked address", async () => {
    stack = await start(["127.0.0.0/8"]);
    const res = await tunnel(`target.test:${targetPort}`, stack.token("alice"));
    expect(res.head).toBe("HTTP/1.1 200 Connection Established");
    expect(res.body).toContain("target says hi");
  });
  test("no proxy credentials → 407", async () => {
    stack = await start(["127.0.0.0/8"]);
    expect((await forward(`http://target.test:${targetPort}/`, undefined)).status).toBe(407);
    expect((await tunnel(`target.test:${targetPort}`, undefined)).head).toContain("407");
    expect(hits).toHaveLength(0);
  });
  test.each([
    [
      "loopback without the CIDR allowance",
      () => `http://target.test:${targetPort}/`,
      "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    ],
    [
      "a name that resolves to a private address",
      () => `http://private.test:${targetPort}/`,
      "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    ],
    [
      "a name that resolves to the metadata address",
      () => `http://rebind.test:${targetPort}/`,
      "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    ],
    ["the metadata IP", () => "http://169.254.169.254/latest/meta-data/", "OL_ERR_PROXY_HOST_FORBIDDEN"],
    ["IPv4-mapped loopback", () => `http://[::ffff:127.0.0.1]:${targetPort}/`, "OL_ERR_PROXY_HOST_FORBIDDEN"],
    ["decimal loopback", () => `http://2130706433:${targetPort}/`, "OL_ERR_PROXY_ADDRESS_FORBIDDEN"],
    ["octal loopback", () => `http://0177.0.0.1:${targetPort}/`, "OL_ERR_PROXY_ADDRESS_FORBIDDEN"],
    ["a host not on the list", () => `http://elsewhere.test:${targetPort}/`, "OL_ERR_PROXY_HOST_FORBIDDEN"],
  ])("%s → 403, nothing connected", async (_name, url, code) => {
    stack = await start([]);
    const res = await forward(url(), stack.token("alice"));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe(code);
    expect(hits).toHaveLength(0);
  });
  test.each([
    ["CONNECT 127.0.0.1 without allowance", () => `127.0.0.1:${targetPort}`],
    ["CONNECT to a host not on the list", () => `other.test:${targetPort}`],
    ["CONNECT on a port the rule does not name", () => "target.test:22"],
  ])("%s → 403", async (_name, authority) => {
    stack = await start([]);
    expect((await tunnel(authority(), stack.token("alice"))).head).toContain("403");
    expect(hits).toHaveLength(0);
  });
  test("an agent with no allowed_hosts reaches nothing", async () => {
    stack = await start(["127.0.0.0/8"]);
    expect((await forward(`http://target.test:${targetPort}/`, stack.token("bob"))).status).toBe(403);
  });
});
