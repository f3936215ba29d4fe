import type { MeshPermissions } from "../../common/contracts/mesh-config.js";
import { compileGlob } from "../../common/glob.js";

/**
 * The permission matrix as a pure function of data (seed "Permission Matrix"). Default deny: an
 * empty list grants nothing. Patterns are compiled once per agent at boot; a check returns either
 * `undefined` (allowed) or the rule that denied, phrased for the 403 body and the audit log.
 */
export type PermissionKind =
  | "can_message"
  | "can_publish"
  | "can_subscribe"
  | "blackboard_read"
  | "blackboard_write";

export const PERMISSION_KINDS: readonly PermissionKind[] = [
  "can_message",
  "can_publish",
  "can_subscribe",
  "blackboard_read",
  "blackboard_write",
];

export type CompiledPermissions = Readonly<Record<PermissionKind, readonly RegExp[]>>;

export function compilePermissions(permissions: MeshPermissions): CompiledPermissions {
  const out = {} as Record<PermissionKind, RegExp[]>;
  for (const kind of PERMISSION_KINDS) out[kind] = permissions[kind].map((p) => compileGlob(p));
  return out;
}

/** Undefined when allowed; otherwise the rule that denied, e.g. `blackboard_write has no pattern matching "context/x"`. */
export function denialFor(
  compiled: CompiledPermissions,
  kind: PermissionKind,
  subject: string,
): string | undefined {
  const patterns = compiled[kind];
  if (patterns.length === 0) return `${kind} is empty (default deny), so "${subject}" is not allowed`;
  for (const re of patterns) if (re.test(subject)) return undefined;
  return `${kind} has no pattern matching "${subject}"`;
}

export const allows = (compiled: CompiledPermissions, kind: PermissionKind, subject: string): boolean =>
  denialFor(compiled, kind, subject) === undefined;
