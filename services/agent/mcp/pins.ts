import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { canonicalJson } from "../../common/canonical-json.js";

const pinFile = z.record(z.string(), z.record(z.string(), z.string()));

/** What a pin covers: everything the model reads about a tool (a changed schema can hide a new field). */
export const toolDigest = (t: McpTool): string =>
  createHash("sha256")
    .update(canonicalJson({ title: t.title, description: t.description, inputSchema: t.inputSchema }))
    .digest("hex");

/**
 * Trust on first use against rug pulls: each MCP tool's definition is pinned the first time it is
 * seen; a later change holds the tool (not offered) until the operator approves the new definition.
 * Stored as JSON (server → tool → sha256), written atomically.
 */
export class PinStore {
  readonly #pins: Record<string, Record<string, string>>;

  constructor(readonly path: string) {
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      // Missing or unreadable: nothing pinned yet.
    }
    const parsed = pinFile.safeParse(raw);
    this.#pins = parsed.success ? parsed.data : {};
  }

  /** Splits a server's tools into offered (pinned now or unchanged) and held (changed since pinned). */
  check(server: string, tools: readonly McpTool[]): { offered: McpTool[]; held: McpTool[] } {
    const pins = this.#server(server);
    const offered: McpTool[] = [];
    const held: McpTool[] = [];
    let dirty = false;
    for (const t of tools) {
      const digest = toolDigest(t);
      const pin = pins[t.name];
      if (pin === undefined) {
        pins[t.name] = digest;
        dirty = true;
      }
      (pin === undefined || pin === digest ? offered : held).push(t);
    }
    if (dirty) this.#save();
    return { offered, held };
  }

  /** The operator accepts a tool's current definition. */
  approve(server: string, tool: McpTool): void {
    this.#server(server)[tool.name] = toolDigest(tool);
    this.#save();
  }

  #server(name: string): Record<string, string> {
    const pins = this.#pins[name] ?? {};
    this.#pins[name] = pins;
    return pins;
  }

  #save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.#pins, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
