/**
 * The e2e suite's client of the fake LLM provider's control API (FAKE_CONTROL=1, see
 * tests/fakes/llm-provider/README.md). The fake runs as a container; its URL changes when the fleet
 * is recreated, so the client asks for it on every call.
 */

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One scripted answer (tests/fakes/llm-provider/types.ts `ReplyAnswer`). */
export type FakeAnswer =
  | { text: string; usage?: { input?: number; output?: number }; chunkDelayMs?: number }
  /** A fault answer (tests/fakes/llm-provider/answers.ts `faultAnswer`). */
  | {
      fault: string;
      delayMs?: number;
      afterChunks?: number;
      answer?: { text: string; chunkDelayMs?: number };
    }
  | {
      toolCalls: { name: string; args: Record<string, unknown>; id?: string }[];
      text?: string;
      usage?: { input?: number; output?: number };
    };

export class FakeLlm {
  constructor(readonly url: () => string) {}

  async #call(path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url()}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fake ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  }

  health = () => this.#call("/_fake/health");
  reset = () => this.#call("/_fake/reset", {});

  /** Queues answers for the OpenAI wire format, served in order to whichever agent asks next. */
  script = (...answers: FakeAnswer[]) => this.#call("/_fake/script", { target: "openai", answers });

  /** Shorthand for one text answer with small, non-zero usage (so the ledger records a cost). */
  say = (text: string) => this.script({ text, usage: { input: 20, output: 5 } });

  async requests(): Promise<RecordedRequest[]> {
    const r = (await this.#call("/_fake/requests")) as { requests?: RecordedRequest[] };
    return r.requests ?? [];
  }

  /** Chat-completion requests only, oldest first. */
  async chats(): Promise<RecordedRequest[]> {
    return (await this.requests()).filter((r) => r.path.includes("chat/completions"));
  }
}

interface ChatMessage {
  role: string;
  content?: unknown;
}

/** The messages of a recorded OpenAI chat request. */
export function messagesOf(req: RecordedRequest): ChatMessage[] {
  const body = JSON.parse(req.body) as { messages?: ChatMessage[] };
  return body.messages ?? [];
}

/** All text of the messages with one of `roles` (content as string or as OpenAI content parts). */
export function textOf(req: RecordedRequest, roles: readonly string[]): string {
  return messagesOf(req)
    .filter((m) => roles.includes(m.role))
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")))
    .join("\n");
}
