// The attacker: runs inside a compromised agent container (`docker exec -i <agent> node - <args-json>`),
// holding only what that container holds. Tries each attack and prints one JSON line per attempt:
// {"id","category","blocked","detail"}; secret sweeps print what they collected for the test to grep.
// Every target is a container or network of the test's own fleet. No external name or address is used.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";

const args = JSON.parse(process.argv[2] ?? "{}");
const PROXY = "http://egress-proxy:8480";
const MESH = "http://mesh:8420";
const token = readFileSync("/run/secrets/agent_token", "utf8").trim();
const results = [];

const report = (id, category, blocked, detail = "") =>
  results.push({ id, category, blocked: Boolean(blocked), detail: String(detail).slice(0, 300) });

async function attempt(id, category, fn) {
  try {
    const [blocked, detail] = await fn();
    report(id, category, blocked, detail);
  } catch (error) {
    report(id, category, false, `attack crashed: ${error?.message}`);
  }
}

function tcp(host, port, ms = 2500) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok, why) => {
      s.destroy();
      resolve([ok, why]);
    };
    s.setTimeout(ms, () => done(false, "timeout"));
    s.on("connect", () => done(true, "connected"));
    s.on("error", (e) => done(false, e.code));
  });
}

async function http(method, url, { headers = {}, body, auth = token, redirect = "manual" } = {}) {
  const res = await fetch(url, {
    method,
    redirect,
    headers: {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      "content-type": "application/json",
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text };
}

/** A raw HTTP/1.1 request (fetch would normalise the path or refuse absolute-form targets). */
function raw(host, port, lines) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let data = "";
    s.setTimeout(8000, () => s.destroy());
    s.on("connect", () => s.write(`${lines.join("\r\n")}\r\n\r\n`));
    s.on("data", (c) => {
      data += c;
    });
    s.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0), text: data }));
    s.on("error", () => resolve({ status: 0, text: "" }));
  });
}
const rawGet = (path, extra = []) =>
  raw("egress-proxy", 8480, [
    `GET ${path} HTTP/1.1`,
    "host: egress-proxy",
    `authorization: Bearer ${token}`,
    "connection: close",
    ...extra,
  ]);
const proxyAuth = (t = token) => `proxy-authorization: Bearer ${t}`;
/** Forward-proxy GET (absolute URI) and CONNECT, with the given token (none: no Proxy-Authorization). */
const forward = (host, t = token) =>
  raw("egress-proxy", 8480, [
    `GET http://${host}/ HTTP/1.1`,
    `host: ${host}`,
    ...(t ? [proxyAuth(t)] : []),
    "connection: close",
  ]);
const connectTo = (authority, t = token) =>
  raw("egress-proxy", 8480, [`CONNECT ${authority} HTTP/1.1`, `host: ${authority}`, proxyAuth(t)]);
const code = (text) => {
  try {
    return JSON.parse(text.slice(text.indexOf("{"))).code ?? "";
  } catch {
    return "";
  }
};
const refusedWith = (r, status, expected) => [
  r.status === status && (!expected || code(r.text) === expected),
  `${r.status} ${code(r.text)}`,
];
const sh = (cmd) => spawnSync("sh", ["-c", cmd], { encoding: "utf8", timeout: 10_000 });
const chat = { model: "gpt-4o-mini", messages: [{ role: "user", content: "attack" }] };
const LLM = `${PROXY}/llm/openai/v1`;

// ── Phase "frozen": the kill switch stops every door ──────────────────────────────────────────────
if (args.phase === "frozen") {
  await attempt("frozen-llm-post", "proxy", async () =>
    refusedWith(
      await http("POST", `${LLM}/chat/completions`, { body: chat }),
      402,
      "OL_ERR_PROXY_AGENT_FROZEN",
    ),
  );
  await attempt("frozen-models-list", "proxy", async () =>
    refusedWith(await http("GET", `${LLM}/models`), 402, "OL_ERR_PROXY_AGENT_FROZEN"),
  );
  await attempt("frozen-api-door", "proxy", async () =>
    refusedWith(await http("GET", `${PROXY}/api/echo/x`), 402, "OL_ERR_PROXY_AGENT_FROZEN"),
  );
  await attempt("frozen-forward", "proxy", async () =>
    refusedWith(await forward("public-standin:8081"), 402),
  );
  await attempt("frozen-connect", "proxy", async () =>
    refusedWith(await connectTo("public-standin:443"), 402),
  );
  process.stdout.write(`${JSON.stringify({ results })}\n`);
  process.exit(0);
}

// ── Network reach ─────────────────────────────────────────────────────────────────────────────────
for (const [id, host, port] of [
  ["net-public-by-name", "public-standin", 8081],
  ["net-public-by-ip", args.publicIp, 8081],
  ["net-fake-llm-by-ip", args.fakeIp, 8080],
  ["net-api-standin-by-ip", args.apiIp, 8443],
  ["net-proxy-egress-ip", args.proxyEgressIp, 8480],
  ["net-mesh-ingress-ip", args.meshIngressIp, 8420],
  ["net-other-agent-by-name", "agent-qualifier", 8400],
  ["net-other-agent-by-ip", args.otherAgentIp, 8400],
  ["net-proxy-control-ip", args.proxyControlIp, 8480],
]) {
  await attempt(id, "network", async () => {
    const [ok, why] = await tcp(host, port);
    return [!ok, `${host}:${port} ${why}`];
  });
}
// inhibit_ipv4 leaves the bridge without an address: the default route's gateway must not answer.
await attempt("net-default-gateway", "network", async () => {
  const routes = readFileSync("/proc/net/route", "utf8").split("\n").slice(1).filter(Boolean);
  const hex = routes.map((l) => l.split(/\s+/)).find((f) => f[1] === "00000000")?.[2];
  if (!hex) return [true, "no default route"];
  const gw = (hex.match(/../g) ?? [])
    .reverse()
    .map((b) => Number.parseInt(b, 16))
    .join(".");
  const [ok, why] = await tcp(gw, 8480);
  return [!ok, `gateway ${gw}: ${why}`];
});
await attempt("net-ipv6-address", "network", async () => {
  let text = "";
  try {
    text = readFileSync("/proc/net/if_inet6", "utf8");
  } catch {
    return [true, "no IPv6"];
  }
  const global = text.split("\n").filter((l) => l && !l.endsWith(" lo"));
  return [global.length === 0, global.join(";")];
});
await attempt("net-icmp-socket", "network", async () => {
  const r = sh(
    `perl -MSocket -e 'socket(my $s, PF_INET, SOCK_DGRAM, 1) or do { print "refused: $!"; exit 3 }; print "opened"'`,
  );
  return [!r.stdout.includes("opened"), r.stdout || r.stderr];
});
await attempt("net-raw-socket", "network", async () => {
  const r = sh(
    `perl -MSocket -e 'socket(my $s, PF_INET, SOCK_RAW, 1) or do { print "refused: $!"; exit 3 }; print "opened"'`,
  );
  return [!r.stdout.includes("opened"), r.stdout || r.stderr];
});
await attempt("net-proxy-admin", "network", async () =>
  refusedWith(await http("GET", `${PROXY}/admin/costs`), 401),
);
await attempt("net-proxy-metrics", "network", async () =>
  refusedWith(await http("GET", `${PROXY}/metrics`), 401),
);
await attempt("net-mesh-operator-route", "network", async () =>
  refusedWith(await http("GET", `${MESH}/v1/audit`), 403),
);

// ── Proxy misuse (issue 14 findings 1-7) ─────────────────────────────────────────────────────────
const forbidden = (r) => refusedWith(r, 403, "OL_ERR_PROXY_ENDPOINT_FORBIDDEN");
await attempt("llm-get-files", "proxy", async () => forbidden(await http("GET", `${LLM}/files`)));
await attempt("llm-get-other-response", "proxy", async () =>
  forbidden(await http("GET", `${LLM}/responses/resp_other_agent`)),
);
await attempt("llm-get-anything", "proxy", async () => forbidden(await http("GET", `${LLM}/anything`)));
await attempt("llm-fine-tuning", "proxy", async () =>
  forbidden(
    await http("POST", `${LLM}/fine_tuning/jobs`, { body: { model: "gpt-4o-mini", training_file: "f" } }),
  ),
);
await attempt("llm-delete-file", "proxy", async () => forbidden(await http("DELETE", `${LLM}/files/file-1`)));
await attempt("llm-batches", "proxy", async () =>
  forbidden(await http("POST", `${LLM}/batches`, { body: { input_file_id: "f" } })),
);
await attempt("llm-models-filtered", "proxy", async () => {
  const r = await http("GET", `${LLM}/models`);
  const ids = (JSON.parse(r.text).data ?? []).map((m) => m.id);
  return [
    r.status === 200 && ids.every((id) => args.allowedModels.includes(id)),
    `${r.status} ${ids.join(",")}`,
  ];
});
await attempt("llm-server-tool-web-search", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/responses`, {
      body: { model: "gpt-4o-mini", input: "x", tools: [{ type: "web_search_preview" }] },
    }),
    403,
    "OL_ERR_PROXY_SERVER_TOOL_FORBIDDEN",
  ),
);
await attempt("llm-server-tool-code-interpreter", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/responses`, {
      body: {
        model: "gpt-4o-mini",
        input: "x",
        tools: [{ type: "code_interpreter", container: { type: "auto" } }],
      },
    }),
    403,
    "OL_ERR_PROXY_SERVER_TOOL_FORBIDDEN",
  ),
);
await attempt("llm-web-search-options", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, { body: { ...chat, web_search_options: {} } }),
    403,
    "OL_ERR_PROXY_SERVER_TOOL_FORBIDDEN",
  ),
);
await attempt("llm-model-not-allowed", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, { body: { ...chat, model: "gpt-4o" } }),
    403,
    "OL_ERR_PROXY_MODEL_FORBIDDEN",
  ),
);
await attempt("llm-other-provider", "proxy", async () =>
  refusedWith(
    await http("POST", `${PROXY}/llm/anthropic/v1/messages`, {
      body: { model: "claude-opus-4-1", max_tokens: 5, messages: [] },
    }),
    403,
    "OL_ERR_PROXY_MODEL_FORBIDDEN",
  ),
);
// Routing fields and account headers: the call passes, the test checks what reached the fake provider.
await attempt("llm-routing-fields-and-headers", "proxy", async () => {
  const r = await http("POST", `${LLM}/chat/completions`, {
    body: {
      ...chat,
      messages: [{ role: "user", content: "ATTACK-ROUTING" }],
      api_key: "sk-attacker",
      api_base: "http://attacker",
      base_url: "http://attacker",
      custom_llm_provider: "x",
    },
    headers: {
      "openai-organization": "org-attacker",
      "openai-project": "proj-attacker",
      "anthropic-beta": "attacker",
    },
  });
  return [r.status === 200, `${r.status} (the test checks the fake's record)`];
});
await attempt("llm-body-too-large", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, {
      body: JSON.stringify({ ...chat, pad: "x".repeat(9 * 1024 * 1024) }),
    }).catch(() => ({ status: 413, text: "" })),
    413,
  ),
);
await attempt("api-not-granted", "proxy", async () =>
  refusedWith(await http("GET", `${PROXY}/api/brave/x`), 403, "OL_ERR_PROXY_API_FORBIDDEN"),
);
// Credentials never come back: the stand-in echoes the injected key in a header, a redirect and an error.
await attempt("api-echo-header", "proxy", async () => {
  const r = await http("GET", `${PROXY}/api/echo/echo-header?q=1`);
  return [r.status === 200 && !JSON.stringify(r.headers).includes("olcanary"), JSON.stringify(r.headers)];
});
await attempt("api-trailing-redirect", "proxy", async () => {
  const r = await http("GET", `${PROXY}/api/echo/trailing?q=acme`);
  return [
    r.status === 301 && r.headers.location === "/api/echo/trailing/?q=acme",
    `${r.status} ${r.headers.location}`,
  ];
});
await attempt("api-redirect-elsewhere", "proxy", async () => {
  const r = await http("GET", `${PROXY}/api/echo/away?q=1`);
  return [r.status === 302 && r.headers.location === undefined, `${r.status} ${r.headers.location}`];
});
await attempt("api-error-body", "proxy", async () => {
  const r = await http("GET", `${PROXY}/api/echo/error`);
  return [
    r.status === 401 && !r.text.includes("olcanary") && r.text.includes("[redacted]"),
    `${r.status} ${r.text}`,
  ];
});
await attempt("api-key-override-query", "proxy", async () => {
  const r = await http("GET", `${PROXY}/api/echo/echo-header?api_key=attacker-chosen`);
  return [
    r.status === 200 && !JSON.stringify(r.headers).includes("attacker-chosen"),
    JSON.stringify(r.headers),
  ];
});
for (const [id, path] of [
  ["path-dotdot-semicolon", "/api/echo/..;/admin"],
  ["path-double-encoded", "/api/echo/%252e%252e/admin"],
  ["path-empty-segment-host", "/api/echo//evil.invalid/x"],
  ["path-at-host", "/api/echo/@evil.invalid/x"],
  ["path-backslash", "/api/echo/a\\..\\..\\b"],
  ["path-encoded-tab", "/api/echo/a%09b"],
  ["path-encoded-dots", "/api/echo/%2e%2e/%2e%2e/admin"],
  ["path-encoded-slash", "/api/echo/a%2f..%2f..%2fb"],
  ["path-llm-dotdot", "/llm/openai/v1/%2e%2e/%2e%2e/admin/costs"],
]) {
  await attempt(id, "proxy", async () => refusedWith(await rawGet(path), 400, "OL_ERR_PROXY_BAD_PATH"));
}
await attempt("forward-not-allowed-host", "proxy", async () =>
  refusedWith(await forward("public-standin:8081"), 403, "OL_ERR_PROXY_HOST_FORBIDDEN"),
);
await attempt("forward-ip-literal", "proxy", async () =>
  refusedWith(await forward(`${args.publicIp}:8081`), 403, "OL_ERR_PROXY_HOST_FORBIDDEN"),
);
await attempt("connect-not-allowed-host", "proxy", async () =>
  refusedWith(await connectTo("api-standin:8443"), 403),
);
await attempt("forward-no-proxy-auth", "proxy", async () =>
  refusedWith(await forward("public-standin:8081", ""), 407),
);
await attempt("proxy-replayed-token", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, { body: chat, auth: args.stolenToken }),
    403,
    "OL_ERR_PROXY_WRONG_SUBNET",
  ),
);
await attempt("proxy-replayed-token-forward", "proxy", async () =>
  refusedWith(await forward("public-standin:8081", args.stolenToken), 403, "OL_ERR_PROXY_WRONG_SUBNET"),
);
await attempt("proxy-forged-token", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, { body: chat, auth: "A".repeat(43) }),
    401,
    "OL_ERR_PROXY_UNAUTHENTICATED",
  ),
);
await attempt("proxy-mesh-token-as-agent-token", "proxy", async () =>
  refusedWith(
    await http("POST", `${LLM}/chat/completions`, {
      body: chat,
      auth: readFileSync("/run/secrets/mesh_token", "utf8").trim(),
    }),
    401,
  ),
);

// ── Mesh misuse ───────────────────────────────────────────────────────────────────────────────────
await attempt("mesh-read-forbidden-key", "mesh", async () =>
  refusedWith(await http("GET", `${MESH}/v1/blackboard/context/other_x`), 403),
);
await attempt("mesh-write-forbidden-key", "mesh", async () =>
  refusedWith(await http("PUT", `${MESH}/v1/blackboard/tasks/x`, { body: { value: 1 } }), 403),
);
await attempt("mesh-publish-forbidden-topic", "mesh", async () =>
  refusedWith(
    await http("POST", `${MESH}/v1/publish`, { body: { topic: "lead_qualified", payload: {} } }),
    403,
  ),
);
await attempt("mesh-message-forbidden-agent", "mesh", async () =>
  refusedWith(
    await http("POST", `${MESH}/v1/messages`, { body: { to: "outreach", payload: { text: "x" } } }),
    403,
  ),
);
await attempt("mesh-schedule-without-grant", "mesh", async () =>
  refusedWith(
    await http("POST", `${MESH}/v1/schedules`, { body: { schedule: "every 30m", message: "x" } }),
    403,
  ),
);
await attempt("mesh-watch-unreadable-prefix", "mesh", async () =>
  refusedWith(await http("POST", `${MESH}/v1/watches`, { body: { prefix: "secrets/" } }), 403),
);
await attempt("mesh-deep-json", "mesh", async () =>
  refusedWith(
    await http("PUT", `${MESH}/v1/blackboard/context/prospect_x`, {
      body: `{"value":${"[".repeat(20000)}${"]".repeat(20000)}}`,
    }),
    400,
  ),
);
await attempt("mesh-replayed-token", "mesh", async () =>
  refusedWith(await http("GET", `${MESH}/v1/inbox`, { auth: args.stolenToken }), 403),
);
await attempt("mesh-mesh-token", "mesh", async () =>
  refusedWith(
    await http("GET", `${MESH}/v1/inbox`, { auth: readFileSync("/run/secrets/mesh_token", "utf8").trim() }),
    401,
  ),
);
await attempt("mesh-no-token", "mesh", async () =>
  refusedWith(await http("GET", `${MESH}/v1/inbox`, { auth: "" }), 401),
);
await attempt("mesh-huge-body", "mesh", async () =>
  refusedWith(
    await http("PUT", `${MESH}/v1/blackboard/context/prospect_y`, {
      body: JSON.stringify({ value: "x".repeat(20 * 1024 * 1024) }),
    }).catch(() => ({ status: 413, text: "" })),
    413,
  ),
);

// ── Container escape ──────────────────────────────────────────────────────────────────────────────
const fails = (cmd) => {
  const r = sh(cmd);
  return [r.status !== 0, `exit ${r.status} ${r.stderr.trim().slice(0, 120)}`];
};
const status = readFileSync("/proc/self/status", "utf8");
const field = (name) => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(status)?.[1];
await attempt("escape-write-rootfs", "escape", async () => fails("touch /pwned"));
await attempt("escape-write-config", "escape", async () => fails("touch /etc/openlegion/pwned"));
await attempt("escape-exec-tmp", "escape", async () => fails("cp /bin/true /tmp/t && /tmp/t"));
await attempt("escape-not-root", "escape", async () => [
  process.getuid() === 1000,
  `uid ${process.getuid()}`,
]);
await attempt("escape-no-capabilities", "escape", async () => [
  /^0+$/.test(field("CapEff") ?? "x") && /^0+$/.test(field("CapBnd") ?? "x"),
  `CapEff ${field("CapEff")} CapBnd ${field("CapBnd")}`,
]);
await attempt("escape-no-new-privs", "escape", async () => [
  field("NoNewPrivs") === "1",
  `NoNewPrivs ${field("NoNewPrivs")}`,
]);
await attempt("escape-seccomp", "escape", async () => [
  field("Seccomp") === "2",
  `Seccomp ${field("Seccomp")}`,
]);
await attempt("escape-docker-socket", "escape", async () =>
  fails("test -e /var/run/docker.sock || test -e /run/docker.sock"),
);
// util-linux is not in the image: the syscalls themselves, through perl (x86_64 numbers).
const syscallFails = (nr, ...a) => fails(`perl -e 'exit(syscall(${nr}, ${a.join(", ")}) == -1 ? 1 : 0)'`);
await attempt("escape-mount", "escape", async () => syscallFails(165, '"none"', '"/tmp"', '"tmpfs"', 0, 0));
await attempt("escape-sysctl-write", "escape", async () => fails("echo 1 > /proc/sys/net/ipv4/ip_forward"));
await attempt("escape-user-namespace", "escape", async () => syscallFails(272, "0x10000000"));
await attempt("escape-setuid-root", "escape", async () => syscallFails(105, 0));
await attempt("escape-chroot", "escape", async () => syscallFails(161, '"/tmp"'));
await attempt("escape-host-devices", "escape", async () => {
  const devs = readdirSync("/dev").filter((d) => /^(sd|nvme|vd|xvd|mem|kmem|port)/.test(d));
  return [devs.length === 0, devs.join(",")];
});
/** cgroup v2 file, or its v1 counterpart. */
const cgroupFile = (v2, v1) => {
  for (const f of [v2, v1]) {
    try {
      return readFileSync(`/sys/fs/cgroup/${f}`, "utf8").trim();
    } catch {}
  }
  return "max";
};
await attempt("escape-pids-limit", "escape", async () => {
  const max = cgroupFile("pids.max", "pids/pids.max");
  return [max !== "max", `pids.max ${max}`];
});
await attempt("escape-memory-limit", "escape", async () => {
  const max = cgroupFile("memory.max", "memory/memory.limit_in_bytes");
  return [max !== "max" && max.length < 19, `memory limit ${max}`];
});
await attempt("escape-write-other-secret", "escape", async () => fails("echo x > /run/secrets/agent_token"));

// ── Secret sweeps: collect everything readable that could hold a secret; the test greps it ───────
const MAX = 64 * 1024;
const collected = [];
const take = (where, text) => {
  if (text) collected.push({ where, text: text.slice(0, MAX) });
};
take("env", JSON.stringify(process.env));
// The script's own process holds what the test handed it (a token to replay): not a leak of the container.
for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
  for (const f of ["environ", "cmdline"]) {
    try {
      take(`/proc/${pid}/${f}`, readFileSync(`/proc/${pid}/${f}`, "latin1"));
    } catch {}
  }
}
function walk(dir, depth) {
  if (depth > 6) return;
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = `${dir === "/" ? "" : dir}/${e.name}`;
    if (["/proc", "/sys", "/dev", "/usr", "/app/node_modules", "/lib", "/bin", "/sbin"].includes(path))
      continue;
    if (e.isDirectory()) walk(path, depth + 1);
    else if (e.isFile()) {
      try {
        if (statSync(path).size < 1024 * 1024) take(path, readFileSync(path, "latin1"));
      } catch {}
    }
  }
}
walk("/", 0);
try {
  take("mounts", readFileSync("/proc/self/mountinfo", "utf8"));
} catch {}
report("sweep-done", "secrets", true, `${collected.length} sources`);
// Only what looks like a secret leaves the container: canary-prefixed strings and token-shaped strings.
const hits = new Set();
for (const { where, text } of collected) {
  for (const m of text.matchAll(/olcanary[\w.-]{0,80}/g)) hits.add(`${where}: ${m[0]}`);
  for (const m of text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g))
    hits.add(`token-shaped ${where}: ${m[0]}`);
}
process.stdout.write(`${JSON.stringify({ results, sweep: [...hits].slice(0, 5000) })}\n`);
