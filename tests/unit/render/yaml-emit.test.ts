import { afterEach, describe, expect, it } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { TEMPLATES } from "../../../generator/init/options.js";
import { compile } from "../../../generator/render/compile.js";
import { normalize, serialize, yamlBodyReference } from "../../../generator/render/serialize.js";
import { emitYaml } from "../../../generator/render/yaml-emit.js";
import { removeDir, templateFleet } from "../../fixtures/render/cli.js";
import { makeFleet, oneAgent, threeAgents } from "../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.0.0-test" };
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

/** Strings YAML 1.1 retypes or that need quoting, plus what the fast emitter must hand back. */
const TRICKY = [
  ...["on", "On", "ON", "yes", "Yes", "no", "NO", "y", "Y", "n", "N", "off", "true", "False", "TRUE"],
  ...["~", "null", "Null", "NULL", "0755", "0o17", "1:30", "190:20:30", "1:30.5", "1e3", "1E3", "-1.5e-7"],
  ...[
    "0x1F",
    "0b101",
    "1_000",
    ".5",
    "5.",
    ".inf",
    "-.Inf",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
  ],
  ...[
    "+1",
    "-0",
    "0",
    "1000:1000",
    "127.0.0.1:8420:8420",
    "3.14",
    "=",
    "<<",
    "$",
    "$$",
    "costs $5",
    "$" + "{X}",
  ],
  ...[
    "a: b",
    "a:b",
    "x:",
    ":x",
    "a #b",
    "a#b",
    "#x",
    "-x",
    "- x",
    "-",
    "?",
    "? x",
    "?x",
    "[a]",
    "a[b]",
    "{b}",
  ],
  ...[
    "*alias",
    "&anchor",
    "!tag",
    "|",
    ">",
    "%x",
    "@at",
    "`tick`",
    ",x",
    "x,y",
    "'q'",
    '"dq"',
    "it's",
    'say "hi"',
  ],
  ...[
    "back\\slash",
    " lead",
    "trail ",
    "in  side",
    "tab\tx",
    "multi\nline",
    "two\n\nbreaks",
    "end\n",
    "\nstart",
  ],
  ...[
    "",
    "---",
    "--- x",
    "...",
    "a\n---\nb",
    "héllo",
    "日本語",
    "emoji 🚀",
    "\u0007bell",
    "\u0085nel",
    "\ud800",
  ],
  ...[
    "null ",
    "ALL",
    "json-file",
    "no-new-privileges:true",
    "/tmp:size=64m,noexec,nosuid,nodev",
    "x".repeat(1100),
  ],
];

const both = (data: unknown) => ({ fast: emitYaml(data), reference: yamlBodyReference(data) });

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random nested data of the kinds normalize lets through: maps, sequences, strings, numbers, booleans. */
function randomData(rand: () => number, depth: number, pool: readonly unknown[]): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (depth <= 0 || r < 0.45) return pick(pool);
  const size = Math.floor(rand() * 4) + (rand() < 0.05 ? 0 : 1);
  if (r < 0.7) return Array.from({ length: size }, () => randomData(rand, depth - 1, pool));
  const out: Record<string, unknown> = {};
  // Keys: "$" is refused by normalize (Compose rewrites it), so key candidates leave it out.
  const keys = pool.map(String).filter((k) => !k.includes("$"));
  for (let i = 0; i < size; i++) out[pick(keys)] = randomData(rand, depth - 1, pool);
  return out;
}

describe("fast YAML emitter", () => {
  it.each(TEMPLATES)(
    "prints the %s template fleet byte-identically to the reference, on the fast path",
    async (t) => {
      const dir = await templateFleet(t);
      dirs.push(dir);
      const model = compile(await loadFleet(dir, { requireEnv: true }), opts);
      expect(emitYaml(normalize(model.compose))).toBeDefined();
      expect(serialize(model)).toBe(serialize(model, { reference: true }));
    },
  );

  it("prints the fixture fleets (watchers, skills, channels, stand-in) byte-identically", () => {
    const standIn = {
      image: "busybox:1.36",
      command: ["sh", "-c", "sleep 1d"],
      healthcheck: ["CMD", "true"],
    };
    for (const model of [
      compile(makeFleet(oneAgent()), opts),
      compile(makeFleet(threeAgents()), opts),
      compile(makeFleet(threeAgents()), { ...opts, standIn, hostPathBase: "../fleet" }),
    ]) {
      expect(emitYaml(normalize(model.compose))).toBeDefined();
      expect(serialize(model)).toBe(serialize(model, { reference: true }));
    }
  });

  it("matches the reference for every tricky string as a value and as a key, or hands it back", () => {
    let fast = 0;
    for (const s of TRICKY) {
      const asKey = s.includes("$") ? [] : [{ [s]: "v" }, { m: { [s]: [s] } }];
      for (const data of [{ env: { K: s } }, { list: [s, { k: s }] }, ...asKey]) {
        const normalized = normalize(data);
        const { fast: text, reference } = both(normalized);
        if (text !== undefined) {
          fast += 1;
          expect(text, JSON.stringify(data)).toBe(reference);
        }
      }
    }
    // Not vacuous: the retype-prone ASCII strings (on, 1:30, 0755, ~, 1e3, $ …) take the fast path.
    expect(fast).toBeGreaterThan(TRICKY.length * 2);
  });

  it("hands back what it does not reproduce: empty collections, nested sequences, odd numbers", () => {
    for (const data of [
      { a: {} },
      { a: [] },
      { a: [[1]] },
      { a: -0 },
      { a: 1e21 },
      { a: 1.5e-7 },
      { a: "multi\nline" },
      { a: "<<" },
      { a: "" },
      { a: "héllo" },
      [],
      "x",
    ]) {
      expect(emitYaml(data), JSON.stringify(data)).toBeUndefined();
    }
    const numbers = { a: 0, b: -3, c: 0.5, d: 1.25, e: 123456789, f: true, g: false };
    expect(emitYaml(numbers)).toBe(yamlBodyReference(numbers));
  });

  it("matches the reference on 3,000 random documents built from tricky strings, numbers and booleans", () => {
    const rand = prng(0x5eed);
    const pool = [...TRICKY, 0, 1, -7, 0.5, 2.75, 1e21, -0, 1e-7, 65535, true, false];
    const asciiPool = [...TRICKY.filter((s) => /^[\x20-\x7e]+$/.test(s)), 0, 1, 0.5, true, false];
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const data = normalize({ root: randomData(rand, 4, i % 2 === 0 ? pool : asciiPool) });
      const { fast: text, reference } = both(data);
      if (text === undefined) continue;
      fast += 1;
      expect(text, `document ${i}: ${JSON.stringify(data)}`).toBe(reference);
    }
    expect(fast).toBeGreaterThan(300);
  });

  it("serialize falls back to the reference for data outside the subset, with the same bytes", () => {
    const input = threeAgents();
    (input.agents as { agents: Record<string, Record<string, unknown>> }).agents.writer!.env = {
      MULTI: "line one\nline two",
      EMPTY: "",
      UNICODE: "héllo 🚀",
    };
    const model = compile(makeFleet(input), opts);
    expect(emitYaml(normalize(model.compose))).toBeUndefined();
    expect(serialize(model)).toBe(serialize(model, { reference: true }));
    expect(serialize(model)).toContain("MULTI: |-\n");
  });
});

describe("fast emitter at scale", () => {
  it("prints a 200-agent fleet byte-identically to the reference", () => {
    const agents: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      agents[`a${String(i).padStart(3, "0")}`] = {
        role: `worker ${i}`,
        env: { MODE: i % 3 === 0 ? "on" : i % 3 === 1 ? "1:30" : `v${i}`, PRICE: "$5" },
      };
    }
    const model = compile(makeFleet({ agents: { agents } }), opts);
    expect(emitYaml(normalize(model.compose))).toBeDefined();
    expect(serialize(model)).toBe(serialize(model, { reference: true }));
  });
});
