/**
 * Standalone fake Telegram Bot API (a container on the egress network in the Docker suite):
 * `node tests/fakes/telegram/main.ts`. Env: PORT (default 8081), TOKEN_FILE (the bot token it accepts,
 * read from a file so it stays out of `docker inspect`). Control: POST /_fake/say, GET /_fake/sent.
 */
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";

// Run straight from source: map `./x.js` specifiers to `./x.ts` (as the fake LLM provider's main does).
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
const { startFakeTelegram } = await import("./server.js");

const tokenFile = process.env.TOKEN_FILE;
const token = tokenFile ? readFileSync(tokenFile, "utf8").trim() : undefined;
const fake = await startFakeTelegram({
  token,
  host: "0.0.0.0",
  port: Number(process.env.PORT ?? 8081),
  control: true,
});
process.stdout.write(`fake telegram listening on ${fake.url}\n`);
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
