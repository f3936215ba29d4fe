import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentHandle, type AgentOverrides, createAgent } from "../../../services/agent/build.js";
import type { AgentManifest } from "../../../services/common/contracts/agent-manifest.js";
import {
  type FakeProvider,
  type RecordedRequest,
  startFakeProvider,
} from "../../fakes/llm-provider/index.js";
import { AGENT_TOKEN, MESH_TOKEN, manifest, silent } from "./helpers.js";

export interface Harness {
  fake: FakeProvider;
  agent: AgentHandle;
  url: string;
  dataDir: string;
  /** The token the agent accepts (callers present it). */
  meshToken: string;
  /** Restart the agent on the same data dir (a container restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real agent server on 127.0.0.1:0 whose model calls go to the fake provider. The fake accepts any
 * path prefix, so the manifest's proxy_url simply points at it: the agent builds the same
 * `/llm/<provider>/v1` URLs it uses against the egress proxy.
 */
export interface HarnessOptions {
  overrides?: AgentOverrides;
  /** Share a fake provider (e.g. the one behind a real egress proxy); the harness then does not close it. */
  fake?: FakeProvider;
  agentToken?: string;
  meshToken?: string;
  port?: number;
  /** The workspace seeds render writes next to the manifest (file → text). */
  workspaceSeed?: Record<string, string>;
}

export async function startHarness(
  over: Partial<AgentManifest> = {},
  opts: HarnessOptions = {},
): Promise<Harness> {
  const fakeArg = opts.fake;
  const overrides = opts.overrides ?? {};
  const fake = fakeArg ?? (await startFakeProvider());
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "ol-agent-it-")));
  const config = () => ({
    manifest: manifest({ proxy_url: fake.url, ...over }),
    systemPrompt: "You are a test agent.",
    project: "PROJECT: testing",
    agentToken: opts.agentToken ?? AGENT_TOKEN,
    meshToken: opts.meshToken ?? MESH_TOKEN,
    dataDir,
    host: "127.0.0.1",
    port: 0,
    logLevel: "silent",
    ...(opts.workspaceSeed ? { workspaceSeed: opts.workspaceSeed } : {}),
  });
  const h: Harness = {
    fake,
    dataDir,
    meshToken: opts.meshToken ?? MESH_TOKEN,
    url: "",
    agent: undefined as unknown as AgentHandle,
    async restart() {
      await h.agent.close(1000);
      await boot();
    },
    async close() {
      await h.agent.close(1000);
      if (!fakeArg) await fake.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const boot = async () => {
    h.agent = await createAgent(config(), { logger: silent, ...overrides });
    h.url = await h.agent.app.listen({ host: "127.0.0.1", port: opts.port ?? 0 });
  };
  await boot();
  return h;
}

export const auth = { authorization: `Bearer ${MESH_TOKEN}` };

export async function post(
  h: Harness,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${h.meshToken}`, ...headers },
    body: JSON.stringify(body),
  });
}

export async function get(h: Harness, path: string): Promise<Response> {
  return fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${h.meshToken}` } });
}

/** Dispatch a task and poll until it leaves queued/running. */
export async function runTask(
  h: Harness,
  task: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const res = await post(h, "/tasks", { task });
  if (res.status !== 202) throw new Error(`POST /tasks → ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await (await get(h, `/tasks/${id}`)).json()) as Record<string, unknown>;
    if (view.status !== "queued" && view.status !== "running") return view;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${String(view.status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function chat(
  h: Harness,
  message: string,
  lane = "followup",
): Promise<{ reply: string; status: string; error?: { code: string } }> {
  const res = await post(h, "/chat", { message, lane, from: "operator" });
  return (await res.json()) as { reply: string; status: string };
}

type Msg = { role: string; content: unknown; tool_calls?: unknown[] };
/** The OpenAI-format messages of a recorded request. */
export const messagesOf = (r: RecordedRequest | undefined): Msg[] =>
  (r?.json as { messages?: Msg[] } | undefined)?.messages ?? [];
export const toolMessages = (r: RecordedRequest | undefined): string[] =>
  messagesOf(r)
    .filter((m) => m.role === "tool")
    .map((m) => String(m.content));
export const toolsOffered = (r: RecordedRequest | undefined): string[] =>
  ((r?.json as { tools?: { function: { name: string } }[] } | undefined)?.tools ?? []).map(
    (t) => t.function.name,
  );
