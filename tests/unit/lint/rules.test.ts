import { describe, expect, it } from "vitest";
import { parseRoutes } from "../../../generator/lint/context.js";
import { lint } from "../../../generator/lint/lint.js";
import type { LintContext } from "../../../generator/lint/types.js";
import { compile, parseRendered, serialize } from "../../../generator/render/index.js";
import { makeFleet, threeAgents } from "../../fixtures/render/fleet.js";

/** A context built from a real compile, then mutated per case (STYLE.md: valid/invalid tables). */
function context(mutate: (ctx: LintContext) => void = () => {}): LintContext {
  const model = compile(makeFleet(threeAgents()), { toolVersion: "0.1.0" });
  const text = serialize(model);
  const ctx: LintContext = {
    compose: parseRendered(text) as unknown as Record<string, unknown>,
    text,
    proxyConfig: JSON.parse(model.files.get("compose/egress-proxy/config.json")!),
    rawAgents: {
      agents: { qualifier: { budget: { daily_usd: 1 } }, researcher: { budget: {} }, writer: { budget: {} } },
    },
    trackedSecrets: [],
    hostRoutes: ["192.168.1.0/24"],
    overrideFile: false,
    strict: false,
  };
  mutate(ctx);
  return ctx;
}
const svc = (ctx: LintContext, name: string) =>
  (ctx.compose.services as Record<string, Record<string, unknown>>)[name]!;
/** Agent networks are named by slot: qualifier, researcher, writer take slots 3, 4, 5 (render/subnets.ts). */
const WRITER_NET = "agent-net-5";
const net = (ctx: LintContext, name: string) =>
  (ctx.compose.networks as Record<string, Record<string, unknown>>)[name]!;
const hostsOf = (c: LintContext) =>
  (c.proxyConfig as { agents: Record<string, { allowed_hosts: string[] }> }).agents;
const ids = (ctx: LintContext) => lint(ctx).map((f) => `${f.rule} ${f.path}`);

describe("lint: valid", () => {
  it("finds nothing in a freshly rendered fleet, in strict mode too", () => {
    expect(ids(context())).toEqual([]);
    expect(
      ids(
        context((c) => {
          c.strict = true;
        }),
      ),
    ).toEqual([]);
  });
});

const INVALID: { name: string; mutate: (c: LintContext) => void; expected: string }[] = [
  {
    name: "wildcard egress host",
    mutate: (c) => {
      hostsOf(c).writer!.allowed_hosts = ["*"];
    },
    expected: "OL001 compose/egress-proxy/config.json#/agents/writer/allowed_hosts",
  },
  {
    name: "TLD wildcard",
    mutate: (c) => {
      hostsOf(c).writer!.allowed_hosts = ["*.com:443"];
    },
    expected: "OL001 compose/egress-proxy/config.json#/agents/writer/allowed_hosts",
  },
  {
    name: "budget absent (strict)",
    mutate: (c) => {
      c.strict = true;
      c.rawAgents = { agents: { writer: {} } };
    },
    expected: "OL002 config/agents.yaml#/agents/writer",
  },
  {
    name: "mesh on 0.0.0.0",
    mutate: (c) => {
      svc(c, "mesh").ports = ["0.0.0.0:8420:8420"];
    },
    expected: "OL003 /services/mesh/ports/0",
  },
  {
    name: "mesh port without host ip",
    mutate: (c) => {
      svc(c, "mesh").ports = ["8420:8420"];
    },
    expected: "OL003 /services/mesh/ports/0",
  },
  {
    name: "secret tracked by git",
    mutate: (c) => {
      c.trackedSecrets = [".openlegion/secrets/master_key"];
    },
    expected: "OL004 .openlegion/secrets/master_key",
  },
  {
    name: "pool overlaps a host route",
    mutate: (c) => {
      c.hostRoutes = ["10.231.0.0/16"];
    },
    expected: "OL005 /networks/control/ipam",
  },
  {
    name: "privileged agent",
    mutate: (c) => {
      svc(c, "agent-writer").privileged = true;
    },
    expected: "OL006 /services/agent-writer/privileged",
  },
  {
    name: "ports on an agent",
    mutate: (c) => {
      svc(c, "agent-writer").ports = ["127.0.0.1:9000:8400"];
    },
    expected: "OL006 /services/agent-writer/ports",
  },
  {
    name: "ports on the proxy",
    mutate: (c) => {
      svc(c, "egress-proxy").ports = ["127.0.0.1:9000:8480"];
    },
    expected: "OL006 /services/egress-proxy/ports",
  },
  {
    name: "devices on an agent",
    mutate: (c) => {
      svc(c, "agent-writer").devices = ["/dev/kvm"];
    },
    expected: "OL006 /services/agent-writer/devices",
  },
  {
    name: "docker socket mount",
    mutate: (c) =>
      void (svc(c, "agent-writer").volumes as string[]).push("/var/run/docker.sock:/var/run/docker.sock"),
    expected: "OL006 /services/agent-writer/volumes/2",
  },
  {
    name: "host network",
    mutate: (c) => {
      svc(c, "agent-writer").network_mode = "host";
    },
    expected: "OL006 /services/agent-writer/network_mode",
  },
  {
    name: "root user",
    mutate: (c) => {
      svc(c, "agent-writer").user = "0:0";
    },
    expected: "OL007 /services/agent-writer/user",
  },
  {
    name: "writable rootfs",
    mutate: (c) => {
      svc(c, "mesh").read_only = false;
    },
    expected: "OL007 /services/mesh/read_only",
  },
  {
    name: "swap allowed",
    mutate: (c) => {
      svc(c, "agent-writer").memswap_limit = "2g";
    },
    expected: "OL007 /services/agent-writer/mem_limit",
  },
  {
    name: "seccomp unconfined",
    mutate: (c) => {
      svc(c, "agent-writer").security_opt = ["no-new-privileges:true", "seccomp=unconfined"];
    },
    expected: "OL007 /services/agent-writer/security_opt",
  },
  {
    name: "agent network not internal",
    mutate: (c) => void delete net(c, WRITER_NET).internal,
    expected: `OL008 /networks/${WRITER_NET}/internal`,
  },
  {
    name: "agent network without inhibit_ipv4",
    mutate: (c) => void delete net(c, WRITER_NET).driver_opts,
    expected: `OL008 /networks/${WRITER_NET}/driver_opts`,
  },
  {
    name: "two agents on one network",
    mutate: (c) => {
      svc(c, "agent-writer").networks = [WRITER_NET, "agent-net-4"];
    },
    expected: "OL008 /networks/agent-net-4",
  },
  {
    name: "IPv6 network",
    mutate: (c) => {
      net(c, "egress").enable_ipv6 = true;
    },
    expected: "OL008 /networks/egress/enable_ipv6",
  },
  {
    name: "top-level name (v1 rejects)",
    mutate: (c) => {
      c.compose.name = "fleet";
    },
    expected: "OL010 /name",
  },
  {
    name: "service configs (v1 drops)",
    mutate: (c) => {
      svc(c, "mesh").configs = ["x"];
    },
    expected: "OL010 /services/mesh/configs",
  },
  {
    name: "unescaped $ in the file",
    mutate: (c) => {
      c.text += "x-note: costs $5\n";
    },
    expected: `OL011 docker-compose.yml:${context().text.split("\n").length}`,
  },
  {
    name: "override file next to it",
    mutate: (c) => {
      c.overrideFile = true;
    },
    expected: "OL012 docker-compose.override.yml",
  },
  {
    name: "a field the product does not implement (browser_backend)",
    mutate: (c) => {
      c.rawAgents = { agents: { writer: { browser_backend: "stealth" } } };
    },
    expected: "OL013 config/agents.yaml#/agents/writer/browser_backend",
  },
  {
    name: "schema: misspelled key",
    mutate: (c) => {
      svc(c, "agent-writer").mem_limt = "1g";
    },
    expected: "OL100 /services/agent-writer",
  },
  {
    name: "schema v1: internal as a string",
    mutate: (c) => {
      net(c, WRITER_NET).internal = "yes";
    },
    expected: `OL101 /networks/${WRITER_NET}/internal`,
  },
];

describe("lint: invalid", () => {
  it.each(INVALID)("$name → $expected", ({ mutate, expected }) => {
    expect(ids(context(mutate))).toContain(expected);
  });

  it("gives every finding a fix hint and a severity", () => {
    for (const f of lint(
      context((c) => {
        svc(c, "agent-writer").privileged = true;
      }),
    )) {
      expect(f.fix.length).toBeGreaterThan(5);
      expect(["error", "warning"]).toContain(f.severity);
    }
  });

  it("reads host routes without Docker's own bridges or the default route", () => {
    const text =
      "default via 10.0.0.1 dev eth0\n10.0.0.0/24 dev eth0 proto kernel\n172.17.0.0/16 dev docker0\n172.20.0.0/16 dev br-1a2b\n192.168.5.1 dev wg0\n";
    expect(parseRoutes(text)).toEqual(["10.0.0.0/24", "192.168.5.1/32"]);
  });
});
