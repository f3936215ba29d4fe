import { TEST_MASTER_KEY } from "./helpers.js";

/**
 * One bad fleet per case, built from object literals over a valid two-agent fleet. `expect` lists
 * every issue the load must report, in order: `file:line:col path` and a fragment of the message.
 */
export interface BadCase {
  name: string;
  files: Record<string, string | Uint8Array | { dir: true } | null>;
  expect: Array<[location: string, fragment: string]>;
  requireEnv?: boolean;
}

export const BASE_AGENTS = "agents:\n  researcher:\n    role: research\n  writer:\n    role: writer\n";

const agents = (body: string): Record<string, string> => ({ "config/agents.yaml": body });
const perms = (body: string): Record<string, string> => ({ "config/permissions.json": body });
const mesh = (body: string): Record<string, string> => ({ "config/mesh.yaml": body });
const flow = (body: string, file = "config/workflows/flow.yaml"): Record<string, string> => ({
  [file]: body,
});
const env = (body: string): Record<string, string> => ({ ".env": body });

const A = "config/agents.yaml";
const P = "config/permissions.json";
const M = "config/mesh.yaml";
const W = "config/workflows/flow.yaml";

export const BAD_CASES: BadCase[] = [
  // ── agents.yaml: syntax ─────────────────────────────────────────────────────────────────────
  {
    name: "tab indentation",
    files: agents("agents:\n  researcher:\n\trole: research\n"),
    expect: [[`${A}:3:1 agents.researcher`, "tab used for indentation"]],
  },
  {
    name: "duplicate key",
    files: agents("agents:\n  researcher:\n    role: a\n    role: b\n"),
    expect: [[`${A}:4:5 agents.researcher.role`, 'duplicate key "role"']],
  },
  {
    name: "two documents in one file",
    files: agents(`${BASE_AGENTS}---\nagents: {}\n`),
    expect: [[`${A}:6:1 `, "more than one YAML document"]],
  },
  {
    name: "alias to an undefined anchor",
    files: agents("agents:\n  researcher: *nothing\n"),
    expect: [[`${A}:2:15 agents.researcher`, "nothing"]],
  },
  {
    name: "circular alias",
    files: agents("agents: &all\n  researcher:\n    env: *all\n"),
    expect: [[`${A}:3:10 agents.researcher.env`, "circular"]],
  },
  {
    name: "YAML alias bomb",
    files: agents(
      [
        "x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        "x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "agents:",
        "  researcher:",
        "    role: *d",
        "",
      ].join("\n"),
    ),
    expect: [[`${A}:2:10 x-b.0`, "alias bomb"]],
  },
  // ── agents.yaml: files that are not config ────────────────────────────────────────────────────
  { name: "empty file", files: agents("# nothing here yet\n\n"), expect: [[`${A}:1:1 `, "file is empty"]] },
  {
    name: "file that is a directory",
    files: { [A]: { dir: true } },
    expect: [[`${A}:1:1 `, "is a directory"]],
  },
  {
    name: "binary garbage (NUL bytes)",
    files: { [A]: Buffer.from("agents:\n  re\u0000\u0001\u0002searcher: {}\n", "latin1") },
    expect: [[`${A}:2:5 `, "binary content (NUL byte)"]],
  },
  {
    name: "binary garbage (invalid UTF-8)",
    files: { [A]: Uint8Array.from([0x61, 0x3a, 0x0a, 0x20, 0x20, 0xff, 0xfe, 0x00]) },
    expect: [[`${A}:2:3 `, "invalid UTF-8 byte 0xff"]],
  },
  { name: "missing agents.yaml", files: { [A]: null }, expect: [[`${A}:1:1 `, "required file is missing"]] },
  {
    name: "agents.yml instead of agents.yaml",
    files: { [A]: null, "config/agents.yml": BASE_AGENTS },
    expect: [[`${A}:1:1 `, 'rename it to "agents.yaml"']],
  },
  // ── agents.yaml: schema ───────────────────────────────────────────────────────────────────────
  {
    name: "misspelled key (modle)",
    files: agents("agents:\n  researcher:\n    role: research\n    modle: openai/gpt-4o\n"),
    expect: [[`${A}:4:5 agents.researcher.modle`, 'unknown key (did you mean "model"?)']],
  },
  {
    name: "misspelled top-level key",
    files: agents("agent:\n  researcher: {}\n"),
    expect: [[`${A}:1:1 agent`, 'unknown key (did you mean "agents"?)']],
  },
  {
    name: "wrong type (list for a string)",
    files: agents("agents:\n  researcher:\n    role: [a, b]\n"),
    expect: [[`${A}:3:11 agents.researcher.role`, "expected string, got list"]],
  },
  {
    name: "agents is a list",
    files: agents("agents:\n  - researcher\n"),
    expect: [[`${A}:2:3 agents`, "expected mapping, got list"]],
  },
  {
    name: "negative budget",
    files: agents("agents:\n  researcher:\n    budget:\n      daily_usd: -5\n"),
    expect: [[`${A}:4:18 agents.researcher.budget.daily_usd`, "must not be negative"]],
  },
  {
    name: "non-numeric budget",
    files: agents("agents:\n  researcher:\n    budget:\n      monthly_usd: lots\n"),
    expect: [[`${A}:4:20 agents.researcher.budget.monthly_usd`, 'expected number, got string "lots"']],
  },
  {
    name: "memory_limit: lots",
    files: agents("agents:\n  researcher:\n    resources:\n      memory_limit: lots\n"),
    expect: [[`${A}:4:21 agents.researcher.resources.memory_limit`, 'size like "512m"']],
  },
  {
    name: "cpu_limit: 0",
    files: agents("agents:\n  researcher:\n    resources:\n      cpu_limit: 0\n"),
    expect: [[`${A}:4:18 agents.researcher.resources.cpu_limit`, "greater than 0"]],
  },
  {
    name: "uppercase agent id",
    files: agents("agents:\n  Researcher:\n    role: research\n"),
    expect: [[`${A}:2:3 agents.Researcher`, "agent id must match"]],
  },
  {
    name: "$ in agent id",
    files: agents("agents:\n  re$earcher:\n    role: research\n"),
    expect: [
      [`${A}:2:3 agents.re$earcher`, '"$" is not allowed in keys'],
      [`${A}:2:3 agents.re$earcher`, "agent id must match"],
    ],
  },
  {
    name: "agent id too long",
    files: agents(`agents:\n  ${"a".repeat(32)}:\n    role: research\n`),
    expect: [[`${A}:2:3 agents.${"a".repeat(32)}`, "agent id must match"]],
  },
  {
    name: "agent id collides with the mesh service",
    files: agents("agents:\n  mesh:\n    role: research\n"),
    expect: [[`${A}:2:3 agents.mesh`, 'agent id "mesh" is reserved']],
  },
  {
    name: "agent id collides with the egress-proxy service",
    files: agents(`${BASE_AGENTS}  egress-proxy: {}\n`),
    expect: [[`${A}:6:3 agents.egress-proxy`, "is reserved"]],
  },
  {
    name: "unknown browser backend",
    files: agents("agents:\n  researcher:\n    browser_backend: stealthy\n"),
    expect: [
      [`${A}:3:22 agents.researcher.browser_backend`, 'expected one of "basic", "stealth", "advanced"'],
    ],
  },
  {
    name: "model without a provider",
    files: agents("agents:\n  researcher:\n    model: gpt-4o\n"),
    expect: [[`${A}:3:12 agents.researcher.model`, 'model must be "provider/model"']],
  },
  {
    name: "temperature out of range",
    files: agents("agents:\n  researcher:\n    temperature: 3\n"),
    expect: [[`${A}:3:18 agents.researcher.temperature`, "must be at most 2"]],
  },
  {
    name: "MCP server with neither command nor url",
    files: agents("agents:\n  researcher:\n    mcp_servers:\n      - name: files\n"),
    expect: [[`${A}:4:9 agents.researcher.mcp_servers.0`, "exactly one of command or url"]],
  },
  {
    name: "skills_dir (refused until custom skills are implemented)",
    files: agents("agents:\n  researcher:\n    skills_dir: ./skills\n"),
    expect: [[`${A}:3:17 agents.researcher.skills_dir`, "not supported: custom skills are not available"]],
  },
  {
    name: "issue 19: browser_backend stealth (refused: only basic is implemented)",
    files: agents("agents:\n  researcher:\n    browser_backend: stealth\n"),
    expect: [[`${A}:3:22 agents.researcher.browser_backend`, 'not supported: browser_backend "stealth"']],
  },
  {
    name: "issue 19: browser_backend advanced (refused: only basic is implemented)",
    files: agents("agents:\n  researcher:\n    browser_backend: advanced\n"),
    expect: [[`${A}:3:22 agents.researcher.browser_backend`, 'not supported: browser_backend "advanced"']],
  },
  {
    name: "a condition that is not CEL",
    files: flow('name: flow\nsteps:\n  - id: a\n    agent: researcher\n    when: "import os"\n'),
    expect: [[`${W}:5:11 steps.0.when`, "not a valid CEL expression"]],
  },
  {
    name: "a 6-field cron (seconds) in mesh.yaml",
    files: mesh('schedules:\n  - name: s\n    agent: researcher\n    cron: "0 0 9 * * *"\n    message: hi\n'),
    expect: [[`${M}:4:11 schedules.0.cron`, "invalid cron expression"]],
  },
  {
    name: "allowed_apis naming an API defined nowhere",
    files: perms('{"researcher": {"allowed_apis": ["llm", "serpapi"]}}\n'),
    expect: [[`${P}:1:41 researcher.allowed_apis.1`, 'unknown api "serpapi"']],
  },
  {
    name: "issue 18: remote MCP server whose host is not in allowed_hosts",
    files: agents(
      "agents:\n  researcher:\n    allowed_hosts: [api.example.com]\n    mcp_servers:\n      - name: docs\n        url: https://mcp.example.com/mcp\n",
    ),
    expect: [
      [
        `${A}:6:14 agents.researcher.mcp_servers.0.url`,
        'mcp.example.com is not in agents.researcher.allowed_hosts (api.example.com): add "mcp.example.com" there',
      ],
    ],
  },
  {
    name: "issue 18: remote MCP server with args, and a command server with a credential",
    files: agents(
      "agents:\n  researcher:\n    allowed_hosts: [mcp.example.com]\n    mcp_servers:\n      - name: docs\n        url: https://mcp.example.com/mcp\n        args: [x]\n      - name: fs\n        command: mcp-server-filesystem\n        credential: FS_TOKEN\n",
    ),
    expect: [
      [
        `${A}:7:15 agents.researcher.mcp_servers.0.args`,
        "args is for command servers; a url server gets none",
      ],
      [`${A}:10:21 agents.researcher.mcp_servers.1.credential`, "credential is for url servers"],
    ],
  },
  {
    name: "issue 18: packages with an image of your own",
    files: agents("agents:\n  researcher:\n    image: my/agent:1\n    image_packages:\n      apt: [jq]\n"),
    expect: [
      [
        `${A}:5:7 agents.researcher.image_packages`,
        'packages are baked into the OpenLegion agent image, but image is "my/agent:1"',
      ],
    ],
  },
  {
    name: "issue 18: a Debian package name that is not one",
    files: agents('agents:\n  researcher:\n    image_packages:\n      apt: ["jq; curl evil"]\n'),
    expect: [
      [`${A}:4:13 agents.researcher.image_packages.apt.0`, 'a Debian package is "name" or "name=version"'],
    ],
  },
  {
    name: "allowed host with a scheme",
    files: agents('agents:\n  researcher:\n    allowed_hosts: ["https://api.github.com"]\n'),
    expect: [[`${A}:3:21 agents.researcher.allowed_hosts.0`, "host must be a lowercase hostname"]],
  },
  {
    name: "reserved OPENLEGION_ name in agent env",
    files: agents("agents:\n  researcher:\n    env:\n      OPENLEGION_MASTER_KEY: x\n"),
    expect: [[`${A}:4:7 agents.researcher.env.OPENLEGION_MASTER_KEY`, "reserved"]],
  },
  {
    name: "same agent defined twice across anchors/merge keys",
    files: agents(
      [
        "x-shared: &shared",
        "  researcher:",
        "    role: research",
        "agents:",
        "  <<: *shared",
        "  writer:",
        "    role: writer",
        "  researcher:",
        "    role: second researcher",
        "",
      ].join("\n"),
    ),
    expect: [[`${A}:8:3 agents.researcher`, 'agent "researcher" is defined more than once']],
  },
  // ── permissions.json ──────────────────────────────────────────────────────────────────────────
  {
    name: "JSON trailing comma",
    files: perms('{\n  "researcher": {\n    "can_message": ["writer"],\n  }\n}\n'),
    expect: [[`${P}:3:30 `, "trailing comma before }"]],
  },
  {
    name: "JSON comment",
    files: perms('{\n  // grants\n  "researcher": {}\n}\n'),
    expect: [[`${P}:2:3 `, "comments are not allowed in JSON"]],
  },
  {
    name: "JSON duplicate key",
    files: perms('{\n  "researcher": {},\n  "researcher": {}\n}\n'),
    expect: [[`${P}:3:3 `, 'duplicate key "researcher"']],
  },
  { name: "empty permissions.json", files: perms("\n"), expect: [[`${P}:1:1 `, "file is empty"]] },
  {
    name: "unknown agent in permissions",
    files: perms('{\n  "reseacher": { "can_message": ["writer"] }\n}\n'),
    expect: [[`${P}:2:3 reseacher`, 'unknown agent "reseacher" (did you mean "researcher"?)']],
  },
  {
    name: "can_message to itself",
    files: perms('{\n  "researcher": { "can_message": ["researcher"] }\n}\n'),
    expect: [[`${P}:2:35 researcher.can_message.0`, "cannot be granted messaging to itself"]],
  },
  {
    name: "can_message to nobody",
    files: perms('{\n  "researcher": { "can_message": ["nobody"] }\n}\n'),
    expect: [[`${P}:2:35 researcher.can_message.0`, 'unknown agent "nobody"']],
  },
  {
    name: "malformed glob",
    files: perms('{\n  "researcher": {\n    "blackboard_read": ["tasks/**x"]\n  }\n}\n'),
    expect: [[`${P}:3:25 researcher.blackboard_read.0`, 'malformed glob: "**" must be a whole path segment']],
  },
  {
    name: "misspelled permission key",
    files: perms('{\n  "researcher": { "can_mesage": ["writer"] }\n}\n'),
    expect: [[`${P}:2:19 researcher.can_mesage`, 'unknown key (did you mean "can_message"?)']],
  },
  {
    name: "$ in a permissions key",
    files: perms('{\n  "researcher": { "can_$message": [] }\n}\n'),
    expect: [
      [`${P}:2:19 researcher.can_$message`, '"$" is not allowed in keys'],
      [`${P}:2:19 researcher.can_$message`, "unknown key"],
    ],
  },
  // ── mesh.yaml ─────────────────────────────────────────────────────────────────────────────────
  {
    name: "mesh port out of range",
    files: mesh("mesh:\n  port: 70000\n"),
    expect: [[`${M}:2:9 mesh.port`, "must be at most 65535"]],
  },
  {
    name: "webhook to an unknown agent",
    files: mesh("webhooks:\n  - name: github\n    agent: writter\n"),
    expect: [[`${M}:3:12 webhooks.0.agent`, 'unknown agent "writter" (did you mean "writer"?)']],
  },
  {
    name: "schedule with an invalid cron expression",
    files: mesh('schedules:\n  - name: daily\n    agent: writer\n    cron: "61 9 * * *"\n    message: go\n'),
    expect: [[`${M}:4:11 schedules.0.cron`, "invalid cron expression"]],
  },
  {
    name: "channel default agent unknown",
    files: mesh("channels:\n  telegram:\n    default_agent: ghost\n"),
    expect: [[`${M}:3:20 channels.telegram.default_agent`, 'unknown agent "ghost"']],
  },
  {
    name: "heartbeat for an unknown agent",
    files: mesh("heartbeats:\n  - agent: ghost\n"),
    expect: [[`${M}:2:12 heartbeats.0.agent`, 'unknown agent "ghost"']],
  },
  {
    name: "bad subnet pool",
    files: mesh("egress:\n  subnet_pool: 10.0.0.0/33\n"),
    expect: [[`${M}:2:16 egress.subnet_pool`, "IPv4 CIDR"]],
  },
  // ── workflows ─────────────────────────────────────────────────────────────────────────────────
  {
    name: "workflow cycle",
    files: flow(
      "name: flow\nsteps:\n  - id: a\n    agent: writer\n    depends_on: [c]\n  - id: b\n    agent: writer\n    depends_on: [a]\n  - id: c\n    agent: writer\n    depends_on: [b]\n",
    ),
    expect: [[`${W}:5:17 steps.0.depends_on`, "dependency cycle: a → c → b → a"]],
  },
  {
    name: "step depending on an unknown step",
    files: flow("name: flow\nsteps:\n  - id: a\n    agent: writer\n    depends_on: [reserch]\n"),
    expect: [[`${W}:5:18 steps.0.depends_on.0`, 'unknown step "reserch"']],
  },
  {
    name: "two steps with one id",
    files: flow("name: flow\nsteps:\n  - id: a\n    agent: writer\n  - id: a\n    agent: researcher\n"),
    expect: [[`${W}:5:9 steps.1.id`, 'duplicate step id "a"']],
  },
  {
    name: "on_failure naming an unknown handler",
    files: flow("name: flow\nsteps:\n  - id: a\n    agent: writer\n    on_failure: cleanup\n"),
    expect: [[`${W}:5:17 steps.0.on_failure`, 'unknown handler "cleanup"']],
  },
  {
    name: "workflow step naming an unknown agent",
    files: flow("name: flow\nsteps:\n  - id: a\n    agent: editor\n"),
    expect: [[`${W}:4:12 steps.0.agent`, 'unknown agent "editor"']],
  },
  {
    name: "prompt step without an agent",
    files: flow("name: flow\nsteps:\n  - id: a\n    task_type: write\n"),
    expect: [[`${W}:3:5 steps.0`, 'step "a" needs an agent']],
  },
  {
    name: "workflow name with a dash",
    files: flow("name: my-flow\nsteps:\n  - id: a\n    agent: writer\n"),
    expect: [[`${W}:1:7 name`, "CEL identifier"]],
  },
  {
    name: "workflow names not unique across files",
    files: {
      ...flow("name: flow\nsteps:\n  - id: a\n    agent: writer\n", "config/workflows/a.yaml"),
      ...flow("name: flow\nsteps:\n  - id: b\n    agent: writer\n", "config/workflows/b.yaml"),
    },
    expect: [["config/workflows/b.yaml:1:7 name", "also used in config/workflows/a.yaml"]],
  },
  {
    name: "workflows path is a file",
    files: { "config/workflows": "name: flow\n" },
    expect: [["config/workflows:1:1 ", "expected a directory"]],
  },
  // ── watchers.yaml ─────────────────────────────────────────────────────────────────────────────
  {
    name: "watcher for an unknown agent",
    files: {
      "config/watchers.yaml":
        'watchers:\n  - path: /data/inbox\n    agent: ghost\n    message: "new {filename}"\n',
    },
    expect: [["config/watchers.yaml:3:12 watchers.0.agent", 'unknown agent "ghost"']],
  },
  {
    name: "watcher pattern with a bad character",
    files: {
      "config/watchers.yaml":
        'watchers:\n  - path: /data/inbox\n    pattern: "*.{csv,tsv}"\n    agent: writer\n    message: hi\n',
    },
    expect: [["config/watchers.yaml:3:14 watchers.0.pattern", "malformed glob"]],
  },
  // ── .env ──────────────────────────────────────────────────────────────────────────────────────
  {
    name: ".env without a master key",
    files: env("OPENLEGION_LOG_FORMAT=text\n"),
    expect: [[".env:1:1 OPENLEGION_MASTER_KEY", "missing"]],
  },
  {
    name: "master key too short",
    files: env("# keys\nOPENLEGION_MASTER_KEY=c2hvcnQ\n"),
    expect: [[".env:2:23 OPENLEGION_MASTER_KEY", "at least 32 random bytes"]],
  },
  {
    name: "unknown OPENLEGION_ key in .env",
    files: env(`OPENLEGION_MASTER_KEY=${TEST_MASTER_KEY}\nOPENLEGION_LOG_FORMT=text\n`),
    expect: [[".env:2:1 OPENLEGION_LOG_FORMT", 'did you mean "OPENLEGION_LOG_FORMAT"?']],
  },
  {
    name: ".env required but missing",
    files: {},
    requireEnv: true,
    expect: [[".env:1:1 ", "required file is missing"]],
  },
];
