import { z } from "zod";
import { isOlError } from "../../common/errors.js";
import { ToolErrors } from "./errors.js";
import { TOOL_NAME } from "./names.js";
import type { Tool, ToolContext } from "./types.js";

const SCHEMAS = new WeakMap<Tool, Record<string, unknown>>();

/**
 * `z.record(z.string(), …)` emits `propertyNames: {type: "string"}`, which says nothing (JSON keys are
 * strings) and which OpenAI rejects: its SDK strips it and logs a warning on every call.
 */
function dropStringKeyNames(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) dropStringKeyNames(n);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const o = node as Record<string, unknown>;
  const pn = o.propertyNames as Record<string, unknown> | undefined;
  if (pn && typeof pn === "object" && Object.keys(pn).length === 1 && pn.type === "string")
    delete o.propertyNames;
  for (const v of Object.values(o)) dropStringKeyNames(v);
}

/**
 * Models invent arguments. Top-level keys a strict tool input does not know are removed before
 * validation (and named in the result) instead of failing the call; nested objects stay strict.
 */
function dropUnknownKeys(input: z.ZodType, args: unknown): { args: unknown; dropped: string[] } {
  const first = input.safeParse(args);
  if (first.success || typeof args !== "object" || args === null || Array.isArray(args))
    return { args, dropped: [] };
  const dropped = first.error.issues.flatMap((i) =>
    i.code === "unrecognized_keys" && i.path.length === 0 ? i.keys : [],
  );
  if (dropped.length === 0) return { args, dropped };
  const kept = Object.fromEntries(Object.entries(args).filter(([k]) => !dropped.includes(k)));
  return { args: kept, dropped };
}

export interface ToolOutcome {
  ok: boolean;
  /** What the model reads: the result rendered as text, or "error <code>: <message>". */
  text: string;
  code?: string;
}

/** An explicit, ordered set of tools; duplicates and invalid names are refused at construction. */
export class ToolRegistry {
  /** A fixed registry is its own tool source (provider/Toolbox in tools/provider.ts). */
  current(): ToolRegistry {
    return this;
  }

  readonly #tools = new Map<string, Tool>();

  constructor(tools: readonly Tool[]) {
    for (const tool of tools) {
      if (!TOOL_NAME.test(tool.name)) throw ToolErrors.failed(tool.name, "invalid tool name");
      if (this.#tools.has(tool.name)) throw ToolErrors.duplicateTool(tool.name);
      this.#tools.set(tool.name, tool);
    }
  }

  get names(): string[] {
    return [...this.#tools.keys()];
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  list(): Tool[] {
    return [...this.#tools.values()];
  }

  /** A registry with only the named tools (unknown names are ignored). */
  subset(names: readonly string[]): ToolRegistry {
    return new ToolRegistry(this.list().filter((t) => names.includes(t.name)));
  }

  /** JSON Schema of a tool's input, as sent to the model. */
  static schemaOf(tool: Tool): Record<string, unknown> {
    if (tool.jsonSchema) return tool.jsonSchema;
    const cached = SCHEMAS.get(tool);
    if (cached) return cached;
    const schema = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    delete schema.$schema;
    dropStringKeyNames(schema);
    SCHEMAS.set(tool, schema);
    return schema;
  }

  /**
   * Validates and runs one call. Never throws: unknown tools, invalid arguments, OlErrors and crashes all
   * come back as an error outcome the model reads.
   */
  async execute(name: string, args: unknown, ctx: ToolContext): Promise<ToolOutcome> {
    const tool = this.#tools.get(name);
    try {
      if (!tool) throw ToolErrors.unknownTool(name, this.names);
      const { args: known, dropped } = dropUnknownKeys(tool.input, args);
      const parsed = tool.input.safeParse(known);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
          .join("; ");
        throw ToolErrors.invalidArgs(name, issues);
      }
      const result = await tool.run(parsed.data, ctx);
      const text = typeof result === "string" ? result : JSON.stringify(result, null, 1);
      if (dropped.length === 0) return { ok: true, text };
      ctx.log.info({ tool: name, dropped }, "unknown tool arguments dropped");
      return { ok: true, text: `${text}\n[note: ignored unknown arguments: ${dropped.join(", ")}]` };
    } catch (error) {
      if (isOlError(error))
        return { ok: false, code: error.code, text: `error ${error.code}: ${error.message}` };
      const message = error instanceof Error ? error.message : String(error);
      ctx.log.warn({ tool: name, err: message }, "tool crashed");
      return {
        ok: false,
        code: ToolErrors.failed.code,
        text: `error ${ToolErrors.failed.code}: ${name}: ${message.slice(0, 1000)}`,
      };
    }
  }
}
