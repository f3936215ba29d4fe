import { parseDocument } from "yaml";
import { z } from "zod";
import { HEARTBEAT_MD_MAX_PROBES } from "../../common/contracts/mesh-api.js";

/**
 * Custom heartbeat probes declared in the workspace's HEARTBEAT.md (pure). The first fenced block
 * whose info string is `heartbeat` holds YAML (or JSON) with a `probes:` list; each entry is a
 * one-key map of a fixed kind. Nothing is executed: the kinds are a stat, a directory count, a
 * blackboard key and an inbox depth, evaluated without the LLM.
 *
 * ```heartbeat
 * probes:
 *   - file_changed: inbox/leads.csv
 *   - dir_not_empty: outbox
 *   - blackboard_key: signals/ops/deploy
 *   - inbox_over: 10
 * ```
 */
export type HeartbeatProbeDecl =
  | { kind: "file_changed"; path: string }
  | { kind: "dir_not_empty"; path: string }
  | { kind: "blackboard_key"; key: string }
  | { kind: "inbox_over"; n: number };

export interface HeartbeatMd {
  probes: HeartbeatProbeDecl[];
  /** Why a declaration (or the block) was refused; the valid ones still apply. */
  errors: string[];
}

/** The block's bytes; a larger block is refused as a whole. */
export const HEARTBEAT_BLOCK_MAX = 4_096;
const ERROR_MAX = 300;

const FENCE = /^(`{3,}|~{3,})[ \t]*heartbeat[ \t]*$/;

const relPath = z
  .string()
  .min(1)
  .max(256)
  .transform((p) => (p === "/data" ? "." : p.startsWith("/data/") ? p.slice(6) : p))
  .refine((p) => !p.includes("\u0000"), "contains a NUL byte")
  .refine((p) => !p.startsWith("/"), "must be a path under /data")
  .refine((p) => !p.split(/[\\/]+/).includes(".."), '".." segments are not allowed');

const KINDS = {
  file_changed: relPath,
  dir_not_empty: relPath,
  blackboard_key: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9_.\-:@/]+$/, "only letters, digits and _ . - : @ / are allowed"),
  inbox_over: z.int().min(1).max(100_000),
} as const;
type Kind = keyof typeof KINDS;
const isKind = (k: string): k is Kind => Object.hasOwn(KINDS, k);

/** One `- kind: argument` entry → its declaration, or why it is refused. */
function parseEntry(entry: unknown): HeartbeatProbeDecl | string {
  if (!entry || typeof entry !== "object" || Array.isArray(entry) || Object.keys(entry).length !== 1)
    return "each probe is a one-key map like `file_changed: inbox/leads.csv`";
  const [kind, arg] = Object.entries(entry)[0] ?? ["", undefined];
  if (!isKind(kind))
    return `${kind}: unknown kind (use file_changed, dir_not_empty, blackboard_key or inbox_over)`;
  const parsed = KINDS[kind].safeParse(arg);
  if (!parsed.success) return `${kind}: ${parsed.error.issues[0]?.message ?? "invalid"}`;
  const v = parsed.data;
  if (typeof v === "number") return { kind: "inbox_over", n: v };
  if (kind === "blackboard_key") return { kind, key: v };
  if (kind === "inbox_over") return "inbox_over: must be a number";
  return { kind, path: v };
}

const clip = (s: string): string => (s.length > ERROR_MAX ? `${s.slice(0, ERROR_MAX - 1)}…` : s);

/** The first ```heartbeat fenced block's body, or undefined when there is none (or it never closes). */
export function heartbeatBlock(markdown: string): string | undefined {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const start = lines.findIndex((l) => FENCE.test(l.trim()));
  if (start < 0) return undefined;
  const fence = FENCE.exec(lines[start]?.trim() ?? "")?.[1] ?? "```";
  const close = new RegExp(`^${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
  const end = lines.findIndex((l, i) => i > start && close.test(l.trim()));
  if (end < 0) return undefined;
  return lines.slice(start + 1, end).join("\n");
}

/**
 * HEARTBEAT.md text → its probe declarations, or null when the file declares none (no block).
 * Limits: a 4 KiB block, no YAML aliases, at most 16 probes; duplicates are dropped silently.
 */
export function parseHeartbeatMd(markdown: string): HeartbeatMd | null {
  const block = heartbeatBlock(markdown);
  if (block === undefined) return null;
  if (Buffer.byteLength(block, "utf8") > HEARTBEAT_BLOCK_MAX)
    return { probes: [], errors: [`the heartbeat block is larger than ${HEARTBEAT_BLOCK_MAX} bytes`] };
  const doc = parseDocument(block, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0)
    return { probes: [], errors: [clip(`the heartbeat block is not valid YAML: ${doc.errors[0]?.message}`)] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    return { probes: [], errors: [clip(`the heartbeat block: ${(error as Error).message}`)] };
  }
  const top = z.strictObject({ probes: z.array(z.unknown()) }).safeParse(data);
  if (!top.success)
    return { probes: [], errors: ["the heartbeat block must be a map with a `probes:` list"] };
  const probes: HeartbeatProbeDecl[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of top.data.probes.entries()) {
    if (probes.length >= HEARTBEAT_MD_MAX_PROBES) {
      errors.push(`probes: more than ${HEARTBEAT_MD_MAX_PROBES}; the rest are ignored`);
      break;
    }
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") {
      if (errors.length < HEARTBEAT_MD_MAX_PROBES) errors.push(clip(`probes[${i}] ${parsed}`));
      continue;
    }
    const id = JSON.stringify(parsed);
    if (seen.has(id)) continue;
    seen.add(id);
    probes.push(parsed);
  }
  return { probes, errors };
}
