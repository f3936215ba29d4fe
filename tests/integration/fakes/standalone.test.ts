/**
 * The fake as a separate process (`node tests/fakes/llm-provider/main.ts`), scripted from a file and over
 * the control API, the way an end-to-end test drives the container.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RecordedRequest, startFakeProvider } from "../../fakes/llm-provider/index.js";

const MAIN = join(import.meta.dirname, "../../fakes/llm-provider/main.ts");

let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  child?.kill("SIGTERM");
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Start main.ts and resolve with the URL it prints. */
function startMain(env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "pipe",
  });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    proc.on("exit", (code) => reject(new Error(`main.ts exited ${code}: ${err}`)));
  });
}

const chat = (url: string, key = "sk-real") =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
  });

const contentOf = async (res: Response): Promise<unknown> =>
  ((await res.json()) as { choices: { message: { content: unknown } }[] }).choices[0]?.message.content;

describe("main.ts", () => {
  it("serves a SCRIPT_FILE, checks EXPECTED_KEYS_FILE and is scriptable over the control API", async () => {
    dir = await mkdtemp(join(tmpdir(), "fake-llm-"));
    await writeFile(join(dir, "script.json"), JSON.stringify({ openai: [{ text: "from file" }] }));
    await writeFile(join(dir, "keys.json"), JSON.stringify({ openai: "sk-real" }));
    const url = await startMain({
      PORT: "0",
      HOST: "127.0.0.1",
      FAKE_CONTROL: "1",
      SCRIPT_FILE: join(dir, "script.json"),
      EXPECTED_KEYS_FILE: join(dir, "keys.json"),
    });
    expect(await (await fetch(`${url}/_fake/health`)).json()).toEqual({ ok: true });
    expect(await contentOf(await chat(url))).toBe("from file");
    expect((await chat(url, "sk-agent-token")).status).toBe(401);

    const scripted = await fetch(`${url}/_fake/script`, {
      method: "POST",
      body: JSON.stringify({ target: "openai", answers: [{ text: "from control" }] }),
    });
    expect(await scripted.json()).toEqual({ pending: 1 });
    expect(await contentOf(await chat(url))).toBe("from control");

    const { requests } = (await (await fetch(`${url}/_fake/requests`)).json()) as {
      requests: RecordedRequest[];
    };
    expect(requests.map((r) => r.credential?.value)).toEqual(["sk-real", "sk-agent-token", "sk-real"]);

    expect((await fetch(`${url}/_fake/reset`, { method: "POST" })).status).toBe(204);
    const after = (await (await fetch(`${url}/_fake/requests`)).json()) as { requests: RecordedRequest[] };
    expect(after.requests).toEqual([]);
  });

  it("exits with a precise message on a bad SCRIPT_FILE", async () => {
    dir = await mkdtemp(join(tmpdir(), "fake-llm-"));
    await writeFile(join(dir, "script.json"), JSON.stringify([{ text: "ok" }, { fault: "explode" }]));
    await expect(
      startMain({ PORT: "0", HOST: "127.0.0.1", SCRIPT_FILE: join(dir, "script.json") }),
    ).rejects.toThrow(/SCRIPT_FILE "\*" #1 at fault/);
  });
});

describe("control API", () => {
  it("rejects a bad script batch whole, with the field that is wrong", async () => {
    const fake = await startFakeProvider({ control: true });
    try {
      const res = await fetch(`${fake.url}/_fake/script`, {
        method: "POST",
        body: JSON.stringify({ target: "anthropic", answers: [{ text: "ok" }, { error: { status: 99 } }] }),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain("#1 at error.status");
      expect(fake.pending()).toBe(0);
      const unknownTarget = await fetch(`${fake.url}/_fake/script`, {
        method: "POST",
        body: JSON.stringify({ target: "bedrock", answers: [{ text: "x" }] }),
      });
      expect(unknownTarget.status).toBe(400);
    } finally {
      await fake.close();
    }
  });
});
