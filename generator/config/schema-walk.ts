import type { z } from "zod";

/**
 * Read-only walks over zod schemas: which keys an object accepts at a path (for "did you mean"),
 * and the pieces docs.ts prints. Only `_zod.def` is read; nothing is parsed here.
 */
type AnySchema = z.core.$ZodType;

export function defOf(schema: AnySchema): z.core.$ZodTypeDef {
  return schema._zod.def;
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

/** Strips optional/default/prefault/nullable/readonly wrappers and pipes (taking their input side). */
export function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let i = 0; i < 16; i++) {
    const def = defOf(current) as z.core.$ZodTypeDef & {
      innerType?: AnySchema;
      in?: AnySchema;
      getter?: () => AnySchema;
    };
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else if (def.type === "lazy" && def.getter) current = def.getter();
    else break;
  }
  return current;
}

export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  return def.type === "object" ? (def as z.core.$ZodObjectDef).shape : undefined;
}

/** Every schema `path` can lead to (several when a union is on the way). */
export function schemasAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema[] {
  let current: AnySchema[] = [schema];
  for (const segment of path) {
    const next: AnySchema[] = [];
    for (const candidate of current) {
      const inner = unwrap(candidate);
      const def = defOf(inner);
      if (def.type === "object") {
        const child = (def as z.core.$ZodObjectDef).shape[String(segment)];
        if (child) next.push(child);
      } else if (def.type === "record") next.push((def as z.core.$ZodRecordDef).valueType);
      else if (def.type === "array") next.push((def as z.core.$ZodArrayDef).element);
      else if (def.type === "union") {
        for (const option of (def as z.core.$ZodUnionDef).options) next.push(...schemasAt(option, [segment]));
      }
    }
    current = next;
  }
  return current;
}

/** Keys accepted by the object(s) at `path`, for "did you mean" on an unknown key. */
export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema, path)) {
    const inner = unwrap(candidate);
    const def = defOf(inner);
    if (def.type === "object")
      for (const key of Object.keys((def as z.core.$ZodObjectDef).shape)) keys.add(key);
    if (def.type === "union") {
      for (const option of (def as z.core.$ZodUnionDef).options) {
        for (const key of Object.keys(objectShape(option) ?? {})) keys.add(key);
      }
    }
  }
  return [...keys].sort();
}

/** The `.describe()` text of a schema or of any wrapper around it. */
export function descriptionOf(schema: AnySchema): string | undefined {
  let current: AnySchema | undefined = schema;
  for (let i = 0; i < 16 && current; i++) {
    const text = (current as { description?: string }).description;
    if (text) return text;
    const def = defOf(current) as z.core.$ZodTypeDef & { innerType?: AnySchema };
    current = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}
