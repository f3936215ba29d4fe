import type { FastifyReply } from "fastify";
import { readCapped } from "../../../common/client/read-capped.js";
import { AgentRoutes } from "../../../common/contracts/agent-routes.js";
import {
  type AgentChatReply,
  type AgentStreamEvent,
  agentChatReplySchema,
  agentStreamEventSchema,
  type Lane,
} from "../../../common/contracts/mesh-api.js";
import { SseParser, sseFrame } from "../../../common/sse.js";
import type { MeshContext } from "../../context.js";
import { callAgent, errorText, unreachableText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import type { AgentEntry } from "../../identity.js";

interface ChatInput {
  message: string;
  lane: Lane;
}

/** Synchronous chat: `POST <agent>/chat` with Accept: application/json, reply validated. */
export async function chatOnce(
  ctx: MeshContext,
  agent: AgentEntry,
  input: ChatInput,
  from = "operator",
): Promise<AgentChatReply> {
  let res: Awaited<ReturnType<typeof callAgent>>;
  try {
    res = await callAgent(agent, AgentRoutes.chat, {
      http: ctx.http,
      tokens: ctx.identity,
      timeoutMs: ctx.limits.chat_timeout_ms,
      body: { ...input, from },
    });
  } catch (error) {
    throw MeshErrors.agentUnavailable(agent.id, unreachableText(error));
  }
  const text = await readCapped(res.body, ctx.limits.chat_stream_bytes).catch((e: unknown) => {
    throw MeshErrors.agentBadReply(agent.id, errorText(e));
  });
  if (res.statusCode < 200 || res.statusCode >= 300)
    throw MeshErrors.agentUnavailable(agent.id, `HTTP ${res.statusCode}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw MeshErrors.agentBadReply(agent.id, "body is not JSON");
  }
  const parsed = agentChatReplySchema.safeParse(json);
  if (!parsed.success) throw MeshErrors.agentBadReply(agent.id, "expected {reply: string}");
  return parsed.data;
}

/**
 * Streaming chat: calls the agent with Accept: text/event-stream and relays each event after
 * validating it against the shared contract (a compromised agent cannot inject arbitrary frames).
 * The relay is capped in bytes and time; a client disconnect aborts the agent call. The stream always
 * ends with exactly one `done` or `error` event.
 */
export async function chatStream(
  ctx: MeshContext,
  agent: AgentEntry,
  input: ChatInput,
  reply: FastifyReply,
): Promise<void> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  reply.raw.on("close", onClose);
  let res: Awaited<ReturnType<typeof callAgent>>;
  try {
    res = await callAgent(agent, AgentRoutes.chat, {
      http: ctx.http,
      tokens: ctx.identity,
      timeoutMs: ctx.limits.chat_timeout_ms,
      accept: "text/event-stream",
      body: { ...input, from: "operator" },
      signal: abort.signal,
    });
  } catch (error) {
    reply.raw.off("close", onClose);
    throw MeshErrors.agentUnavailable(agent.id, unreachableText(error));
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    reply.raw.off("close", onClose);
    throw MeshErrors.agentUnavailable(agent.id, `HTTP ${res.statusCode}`);
  }
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const send = (ev: AgentStreamEvent) => reply.raw.write(sseFrame(ev.type, ev));
  const parser = new SseParser();
  let bytes = 0;
  let finished = false;
  try {
    for await (const chunk of res.body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      bytes += buf.length;
      if (bytes > ctx.limits.chat_stream_bytes)
        throw new Error(`stream larger than ${ctx.limits.chat_stream_bytes} bytes`);
      for (const raw of parser.push(buf.toString("utf8"))) {
        const ev = parseEvent(raw.data);
        if (!ev) throw new Error(`invalid "${raw.event.slice(0, 40)}" event`);
        send(ev);
        if (ev.type === "done" || ev.type === "error") finished = true;
      }
      if (finished) break;
    }
    if (!finished) throw new Error("stream ended without a done event");
  } catch (error) {
    res.body.destroy();
    if (!finished && !abort.signal.aborted) {
      send({
        type: "error",
        code: MeshErrors.agentBadReply.code,
        message: `agent "${agent.id}": ${errorText(error)}`,
      });
    }
  } finally {
    reply.raw.off("close", onClose);
    reply.raw.end();
  }
}

function parseEvent(data: string): AgentStreamEvent | undefined {
  try {
    const parsed = agentStreamEventSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
