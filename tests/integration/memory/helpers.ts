import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelMessage } from "ai";
import type { LlmComplete } from "../../../services/agent/memory/context/compactor.js";
import type { Transcript } from "../../../services/agent/memory/context/conversation.js";
import { type Embedder, HttpEmbedder } from "../../../services/agent/memory/embedder.js";
import { MemoryService } from "../../../services/agent/memory/memory-service.js";
import { embed } from "../../fakes/llm-provider/embed.js";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";

export const DIMS = 64;
export const TOKEN = "agent-token-0123456789abcdef";

/** A temp data root plus everything opened on it, closed in `cleanup()` (call from afterEach). */
export class Env {
  readonly root = mkdtempSync(join(tmpdir(), "ol-memory-"));
  readonly opened: MemoryService[] = [];
  fake: FakeProvider | undefined;

  async startFake(): Promise<FakeProvider> {
    this.fake = await startFakeProvider({ expectedKeys: { openai: TOKEN } });
    return this.fake;
  }

  /** The production HTTP embedder, pointed at the fake as if it were the egress proxy. */
  httpEmbedder(dims = DIMS): Embedder {
    if (!this.fake) throw new Error("startFake() first");
    return new HttpEmbedder({
      proxyUrl: this.fake.url,
      token: TOKEN,
      model: "text-embedding-3-small",
      dims,
      timeoutMs: 5000,
    });
  }

  open(o: { embedder?: Embedder; now?: () => number } = {}): MemoryService {
    const m = new MemoryService({ dataRoot: this.root, ...o });
    this.opened.push(m);
    return m;
  }

  async cleanup(): Promise<void> {
    for (const m of this.opened) m.close();
    await this.fake?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** In-process Embedder with the fake provider's deterministic vectors (bulk loads without HTTP). */
export const localEmbedder = (dims = DIMS): Embedder => ({
  model: "text-embedding-3-small",
  dims,
  embed: async (texts) => texts.map((t) => embed(t, dims)),
});

/** LlmComplete over the fake provider's real OpenAI chat-completions wire. */
export const fakeLlm =
  (fake: FakeProvider): LlmComplete =>
  async ({ system, prompt, signal }) => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [
          { role: "system", content: system },
          { role: "user", content: prompt },
        ],
      }),
      signal,
    });
    const body = (await res.json()) as { choices?: { message?: { content?: string } }[] };
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return body.choices?.[0]?.message?.content ?? "";
  };

/** A transcript kept in an array, like the runtime's messages table. */
export class ArrayTranscript implements Transcript {
  readonly messages: ModelMessage[] = [];
  count(): number {
    return this.messages.length;
  }
  tail(n: number): ModelMessage[] {
    const t = n <= 0 ? [] : this.messages.slice(-n);
    const first = t.findIndex((m) => m.role === "user");
    return first < 0 ? [] : t.slice(first);
  }
}
