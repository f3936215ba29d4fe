import { describe, expect, it } from "vitest";
import {
  HEARTBEAT_BLOCK_MAX,
  heartbeatBlock,
  parseHeartbeatMd,
} from "../../../services/agent/server/heartbeat-md.js";

const md = (body: string, fence = "```heartbeat") =>
  `# Heartbeat\n\nCheck the leads.\n\n${fence}\n${body}\n\`\`\`\n\nMore prose.\n`;

describe("HEARTBEAT.md probe declarations", () => {
  it("parses the four kinds from the first heartbeat block; /data paths become relative", () => {
    const text = md(
      [
        "probes:",
        "  - file_changed: /data/inbox/leads.csv",
        "  - dir_not_empty: outbox",
        "  - blackboard_key: signals/ops/deploy",
        "  - inbox_over: 10",
      ].join("\n"),
    );
    expect(parseHeartbeatMd(text)).toEqual({
      probes: [
        { kind: "file_changed", path: "inbox/leads.csv" },
        { kind: "dir_not_empty", path: "outbox" },
        { kind: "blackboard_key", key: "signals/ops/deploy" },
        { kind: "inbox_over", n: 10 },
      ],
      errors: [],
    });
  });

  it("accepts JSON, CRLF and ~~~ fences; no block (or an unclosed one) declares nothing", () => {
    const json = '{"probes": [{"inbox_over": 3}]}';
    expect(parseHeartbeatMd(md(json).replace(/\n/g, "\r\n"))?.probes).toEqual([{ kind: "inbox_over", n: 3 }]);
    expect(parseHeartbeatMd(`~~~heartbeat\n${json}\n~~~\n`)?.probes).toHaveLength(1);
    expect(parseHeartbeatMd("# Heartbeat\n\n```yaml\nprobes: []\n```\n")).toBeNull();
    expect(parseHeartbeatMd("```heartbeat\nprobes: []\n")).toBeNull();
    expect(heartbeatBlock("````heartbeat\na\n```\nb\n````\n")).toBe("a\n```\nb");
  });

  it("refuses bad entries one by one with a reason, keeping the valid ones", () => {
    const out = parseHeartbeatMd(
      md(
        [
          "probes:",
          "  - file_changed: ../etc/passwd",
          "  - file_changed: /etc/passwd",
          "  - run_shell: rm -rf /",
          "  - inbox_over: 0",
          "  - blackboard_key: 'bad key'",
          "  - { file_changed: a, dir_not_empty: b }",
          "  - dir_not_empty: logs",
          "  - dir_not_empty: logs",
        ].join("\n"),
      ),
    );
    expect(out?.probes).toEqual([{ kind: "dir_not_empty", path: "logs" }]);
    expect(out?.errors).toEqual([
      'probes[0] file_changed: ".." segments are not allowed',
      "probes[1] file_changed: must be a path under /data",
      "probes[2] run_shell: unknown kind (use file_changed, dir_not_empty, blackboard_key or inbox_over)",
      expect.stringMatching(/^probes\[3\] inbox_over: /),
      "probes[4] blackboard_key: only letters, digits and _ . - : @ / are allowed",
      "probes[5] each probe is a one-key map like `file_changed: inbox/leads.csv`",
    ]);
  });

  it("enforces its limits: block size, probe count, no YAML aliases, a probes list", () => {
    const big = md(`probes:\n${"  - inbox_over: 1\n".repeat(HEARTBEAT_BLOCK_MAX / 16)}`);
    expect(parseHeartbeatMd(big)).toEqual({
      probes: [],
      errors: [`the heartbeat block is larger than ${HEARTBEAT_BLOCK_MAX} bytes`],
    });
    const many = md(
      `probes:\n${Array.from({ length: 20 }, (_, i) => `  - inbox_over: ${i + 1}`).join("\n")}`,
    );
    const out = parseHeartbeatMd(many);
    expect(out?.probes).toHaveLength(16);
    expect(out?.errors).toEqual(["probes: more than 16; the rest are ignored"]);
    const alias = parseHeartbeatMd(md("probes: [&a { inbox_over: 1 }, *a]"));
    expect(alias).toEqual({ probes: [], errors: [expect.stringMatching(/alias/i)] });
    expect(parseHeartbeatMd(md("- inbox_over: 1"))?.errors).toEqual([
      "the heartbeat block must be a map with a `probes:` list",
    ]);
    expect(parseHeartbeatMd(md("probes: [unclosed"))?.errors[0]).toMatch(
      /^the heartbeat block is not valid YAML/,
    );
  });
});
