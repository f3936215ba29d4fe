/**
 * Benchmark upstream: the project's fake LLM provider in its own process, answering every chat call from a
 * sticky default. `gpt-4o` answers are paced like a real model (PACED_WORDS words, one SSE event each,
 * PACED_DELAY_MS apart); every other model answers at once. Prints `{"url": …}` on stdout when listening.
 *   node --import ./bench/lib/ts-resolve.ts bench/lib/fake-server.ts
 * Env: BENCH_KEY (the key the fake expects from the proxy/Portkey), PACED_DELAY_MS, PACED_WORDS.
 */
import { startFakeProvider } from "../../tests/fakes/llm-provider/index.js";
import { PACED_MODEL } from "./fake-models.js";

const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

const key = process.env.BENCH_KEY ?? "sk-bench";
const pacedDelayMs = Number(process.env.PACED_DELAY_MS ?? "20");
const pacedWords = Number(process.env.PACED_WORDS ?? "16");
const fast = { text: words(12), usage: { input: 40, output: 12 } };
const paced = {
  text: words(pacedWords),
  usage: { input: 40, output: pacedWords },
  chunkDelayMs: pacedDelayMs,
};

const fake = await startFakeProvider({ expectedKeys: { openai: key }, maxRecorded: 16 });
fake.setDefault("*", (request) => {
  const model = (request.json as { model?: unknown } | undefined)?.model;
  return model === PACED_MODEL ? paced : fast;
});
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
process.on("SIGTERM", () => {
  void fake.close().then(() => process.exit(0));
});
