import ivm from "isolated-vm";
import { SKILL_LIMITS } from "./manifest.js";

/**
 * The boundary a skill runs behind (docs/decisions/agent.md, "Skills run in a V8 isolate"): a fresh
 * isolated-vm isolate per load and per call. The isolate has the JavaScript language and nothing of
 * Node's: no require, import, process, fs, sockets, timers or environment. What it may do comes in
 * as `ol`, whose functions call back into the host: `ol.http` (through the egress proxy, as the
 * http_request tool) and `ol.scratch` (one directory of its own). Time, heap and output are capped.
 */

/** What the host lets one call do; every value crosses the boundary as JSON text. */
export interface SkillCapabilities {
  http(request: unknown): Promise<unknown>;
  readScratch(path: string): Promise<string>;
  writeScratch(path: string, content: string): Promise<string>;
}

export type SandboxFailure = { kind: "timeout" | "memory" | "output" | "error"; message: string };
export class SkillSandboxError extends Error {
  readonly failure: SandboxFailure;
  constructor(failure: SandboxFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** Runs inside the isolate before the skill: builds `ol` from the host references, then hides them. */
const BOOTSTRAP = `
const call = (ref) => async (...args) =>
  JSON.parse(await ref.apply(undefined, [JSON.stringify(args)], { result: { promise: true, copy: true } }));
const refs = globalThis.__ol;
delete globalThis.__ol;
globalThis.ol = Object.freeze({
  http: call(refs.http),
  scratch: Object.freeze({ read: call(refs.readScratch), write: call(refs.writeScratch) }),
});
`;

/** Imports the skill, exposes its manifest and a JSON-in/JSON-out entry point. */
const GLUE = `
import * as skill from "skill";
export const manifest = JSON.stringify(skill.manifest ?? null);
export const hasHandler = typeof skill.handler === "function";
globalThis.__run = async (input) => {
  const out = await skill.handler(JSON.parse(input), globalThis.ol);
  return JSON.stringify(out === undefined ? null : out);
};
`;

const unavailable: SkillCapabilities = {
  http: () => Promise.reject(new Error("ol.http is not available while the skill loads")),
  readScratch: () => Promise.reject(new Error("ol.scratch is not available while the skill loads")),
  writeScratch: () => Promise.reject(new Error("ol.scratch is not available while the skill loads")),
};

/** A host function the isolate can await: JSON array of arguments in, JSON result out. */
const hostRef = (fn: (...args: never[]) => Promise<unknown>) =>
  new ivm.Reference(async (json: string) => {
    const args: unknown = JSON.parse(json);
    return JSON.stringify((await fn(...((Array.isArray(args) ? args : []) as never[]))) ?? null);
  });

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function classify(err: unknown): SandboxFailure {
  if (err instanceof SkillSandboxError) return err.failure;
  const text = message(err);
  if (/memory limit/i.test(text))
    return { kind: "memory", message: `exceeded its memory limit of ${SKILL_LIMITS.memoryMb} MB` };
  if (/timed out/i.test(text)) return { kind: "timeout", message: "ran past its time limit" };
  return { kind: "error", message: text.slice(0, 2_000) };
}

interface Loaded {
  iso: ivm.Isolate;
  context: ivm.Context;
  glue: ivm.Module;
}

async function load(
  code: string,
  filename: string,
  caps: SkillCapabilities,
  timeout: number,
): Promise<Loaded> {
  const iso = new ivm.Isolate({ memoryLimit: SKILL_LIMITS.memoryMb });
  try {
    const context = await iso.createContext();
    const refs = new ivm.ExternalCopy({}).copyInto();
    await context.global.set("__ol", refs);
    const ol = await context.global.get("__ol", { reference: true });
    await ol.set("http", hostRef(caps.http));
    await ol.set("readScratch", hostRef(caps.readScratch));
    await ol.set("writeScratch", hostRef(caps.writeScratch));
    await context.eval(BOOTSTRAP, { timeout });
    const skill = await iso.compileModule(code, { filename: `file:///skills/${filename}` });
    await skill.instantiate(context, (spec) => {
      throw new Error(`skills cannot import modules (import "${spec}"); use ol.http and ol.scratch`);
    });
    await skill.evaluate({ timeout });
    const glue = await iso.compileModule(GLUE, { filename: "file:///openlegion/glue.js" });
    await glue.instantiate(context, () => skill);
    await glue.evaluate({ timeout });
    return { iso, context, glue };
  } catch (err) {
    const failure = classify(err);
    if (!iso.isDisposed) iso.dispose();
    throw new SkillSandboxError(failure);
  }
}

/** Compiles and evaluates a skill's top level (no capabilities) and returns its raw manifest. */
export async function inspectSkill(code: string, filename: string): Promise<unknown> {
  const { iso, glue } = await load(code, filename, unavailable, SKILL_LIMITS.loadTimeoutMs);
  try {
    if (!(await glue.namespace.get("hasHandler", { copy: true })))
      throw new SkillSandboxError({ kind: "error", message: "exports no function named handler" });
    return JSON.parse(String(await glue.namespace.get("manifest", { copy: true })));
  } catch (err) {
    throw new SkillSandboxError(classify(err));
  } finally {
    if (!iso.isDisposed) iso.dispose();
  }
}

/** Syntax check only: compiles the module without running any of it. */
export function compileOnly(code: string, filename: string): string | undefined {
  const iso = new ivm.Isolate({ memoryLimit: 8 });
  try {
    iso.compileModuleSync(code, { filename: `file:///skills/${filename}` });
    return undefined;
  } catch (err) {
    return message(err);
  } finally {
    iso.dispose();
  }
}

/** One call in a fresh isolate: JSON input in, JSON value out, within timeoutMs (the whole call). */
export async function runSkill(
  code: string,
  filename: string,
  input: unknown,
  caps: SkillCapabilities,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<unknown> {
  const deadline = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const { iso, context } = await load(code, filename, caps, opts.timeoutMs);
  let onAbort: (() => void) | undefined;
  try {
    const run = await context.global.get("__run", { reference: true });
    // The isolate's own timeout stops a busy loop; the deadline also ends a call that awaits forever.
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => {
        if (!iso.isDisposed) iso.dispose();
        reject(
          new SkillSandboxError(
            opts.signal.aborted
              ? { kind: "error", message: "cancelled" }
              : { kind: "timeout", message: `did not finish within ${opts.timeoutMs} ms` },
          ),
        );
      };
      if (deadline.aborted) onAbort();
      else deadline.addEventListener("abort", onAbort, { once: true });
    });
    const out = await Promise.race([
      run.apply(undefined, [JSON.stringify(input)], {
        timeout: opts.timeoutMs,
        result: { promise: true, copy: true },
      }),
      stopped,
    ]);
    const text = String(out);
    if (text.length > SKILL_LIMITS.outputChars)
      throw new SkillSandboxError({
        kind: "output",
        message: `returned ${text.length} characters of JSON; the limit is ${SKILL_LIMITS.outputChars}`,
      });
    return JSON.parse(text);
  } catch (err) {
    throw new SkillSandboxError(classify(err));
  } finally {
    if (onAbort) deadline.removeEventListener("abort", onAbort);
    if (!iso.isDisposed) iso.dispose();
  }
}
