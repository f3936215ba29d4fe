/**
 * Standalone fake provider (e.g. a container on the egress network): `node tests/fakes/llm-provider/main.ts`.
 * Env: PORT (default 8080), HOST (default 0.0.0.0), SCRIPT_FILE (JSON: an array of answers queued on "*",
 * or an object mapping targets to arrays), FAKE_CONTROL=1 (enable /_fake/*), MAX_BODY_BYTES,
 * and EXPECTED_KEYS_FILE (JSON {"openai"?, "anthropic"?, "gemini"?}; a file, never env, so keys stay out of
 * `docker inspect`).
 */
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { z } from "zod";
import type { Answer, ScriptTarget } from "./types.js";

// Run straight from source (`node tests/fakes/llm-provider/main.ts`): Node strips the types but does not
// map our `./x.js` specifiers to `./x.ts`, so fall back to the .ts file when the .js one does not exist.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (err) {
      const missing = err instanceof Error && "code" in err && err.code === "ERR_MODULE_NOT_FOUND";
      if (!missing || !specifier.startsWith(".") || !specifier.endsWith(".js")) throw err;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
const { parseAnswer, scriptFileSchema, scriptTargetSchema } = await import("./answers.js");
const { startFakeProvider } = await import("./server.js");

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  SCRIPT_FILE: z.string().min(1).optional(),
  EXPECTED_KEYS_FILE: z.string().min(1).optional(),
  FAKE_CONTROL: z.enum(["0", "1"]).default("0"),
  MAX_BODY_BYTES: z.coerce.number().int().min(1).optional(),
});

const keysSchema = z.strictObject({
  openai: z.string().min(1).optional(),
  anthropic: z.string().min(1).optional(),
  gemini: z.string().min(1).optional(),
});

const readJson = (path: string, what: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
};

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const expectedKeys = env.EXPECTED_KEYS_FILE
    ? keysSchema.parse(readJson(env.EXPECTED_KEYS_FILE, "EXPECTED_KEYS_FILE"))
    : undefined;
  // Parse the whole script before listening, so a bad file exits without leaving a server behind.
  const script: [ScriptTarget, Answer[]][] = [];
  if (env.SCRIPT_FILE) {
    const file = scriptFileSchema.parse(readJson(env.SCRIPT_FILE, "SCRIPT_FILE"));
    const entries: [ScriptTarget, unknown[]][] = Array.isArray(file)
      ? [["*", file]]
      : Object.entries(file).map(([t, a]) => [scriptTargetSchema.parse(t), a ?? []]);
    for (const [target, answers] of entries) {
      script.push([target, answers.map((a, i) => parseAnswer(a, `SCRIPT_FILE "${target}" #${i}`))]);
    }
  }
  const fake = await startFakeProvider({
    port: env.PORT,
    host: env.HOST,
    control: env.FAKE_CONTROL === "1",
    ...(expectedKeys && { expectedKeys }),
    ...(env.MAX_BODY_BYTES !== undefined && { maxBodyBytes: env.MAX_BODY_BYTES }),
  });
  for (const [target, answers] of script) fake.script(target, ...answers);
  process.stdout.write(`fake llm provider listening on ${fake.url}\n`);
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake llm provider: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
