import type { MeshContext } from "./context.js";
import { denialFor, type PermissionKind } from "./core/permissions.js";
import { MeshErrors } from "./errors.js";
import type { Principal } from "./identity.js";

/**
 * The single permission gate for agent calls: the operator is trusted; an agent is checked against
 * its compiled matrix, and a denial is audited and thrown as 403 carrying the rule that denied.
 */
export function authorize(
  ctx: MeshContext,
  who: Principal,
  kind: PermissionKind,
  subject: string,
  action: string,
): void {
  if (who.kind === "operator") return;
  const rule = denialFor(ctx.identity.agent(who.id).permissions, kind, subject);
  if (rule === undefined) return;
  ctx.audit({
    actor: who.id,
    action,
    target: subject,
    outcome: "denied",
    code: MeshErrors.denied.code,
    detail: { rule },
  });
  throw MeshErrors.denied(rule);
}

/** Non-throwing variant for filtering (listings, fan-out): no audit row. */
export function permits(ctx: MeshContext, who: Principal, kind: PermissionKind, subject: string): boolean {
  return (
    who.kind === "operator" || denialFor(ctx.identity.agent(who.id).permissions, kind, subject) === undefined
  );
}

/** JSON text of a value, or 413 when it is larger than `limit` bytes. */
export function encodeCapped(value: unknown, limit: number): string {
  const text = JSON.stringify(value);
  const size = Buffer.byteLength(text, "utf8");
  if (size > limit) throw MeshErrors.valueTooLarge(size, limit);
  return text;
}
