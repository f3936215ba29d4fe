import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cleanupTempDirs, runCli, scriptedPrompts, tempDir } from "../../unit/cli/helpers.js";

let dir: string;
const read = (path: string) => readFileSync(join(dir, path), "utf8");
const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

beforeEach(async () => {
  dir = tempDir();
  expect((await runCli(["init", dir, "--template", "sales", "--yes"])).code).toBe(0);
});
afterEach(cleanupTempDirs);

describe("openlegion channels add / remove / list", () => {
  it("adds Telegram unattended: token in .env (0600), channel in mesh.yaml, both edited in place", async () => {
    const mesh = `# my fleet's mesh settings\n${read("config/mesh.yaml")}`;
    writeFileSync(join(dir, "config/mesh.yaml"), mesh);
    const env = read(".env");
    const agent = Object.keys(parse(read("config/agents.yaml")).agents)[0] as string;
    const r = await runCli(
      ["channels", "add", "telegram", "--token-env", "TG", "--agent", agent, "--dir", dir],
      {
        env: { TG: TOKEN },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    expect(read(".env").startsWith(env)).toBe(true);
    expect(read(".env")).toContain(`OPENLEGION_CRED_TELEGRAM_BOT_TOKEN=${TOKEN}\n`);
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(read("config/mesh.yaml").startsWith("# my fleet's mesh settings\n")).toBe(true);
    expect(parse(read("config/mesh.yaml")).channels.telegram).toEqual({
      enabled: true,
      default_agent: agent,
    });

    const list = await runCli(["channels", "list", "--dir", dir, "--port", "9", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).channels).toEqual([
      { name: "telegram", enabled: true, state: "mesh not running", detail: null, owner: null },
    ]);

    const rm = await runCli(["channels", "remove", "telegram", "--dir", dir]);
    expect(rm.code).toBe(0);
    expect(read(".env")).not.toContain(TOKEN);
    expect(read(".env")).not.toMatch(/^OPENLEGION_CRED_TELEGRAM_BOT_TOKEN=/m);
    expect(parse(read("config/mesh.yaml")).channels?.telegram).toBeUndefined();
    expect(read("config/mesh.yaml").startsWith("# my fleet's mesh settings\n")).toBe(true);
  });

  it("adds WhatsApp: access token and app secret from the environment, a fresh verify token printed once", async () => {
    const r = await runCli(
      [
        "channels",
        "add",
        "whatsapp",
        "--token-env",
        "A",
        "--app-secret-env",
        "S",
        "--phone-number-id",
        "106540352242922",
        "--dir",
        dir,
      ],
      { env: { A: "EAAGabcdefghijklmnopqrstuvwxyz", S: "0123456789abcdef0123" } },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const verify = /Verify token: (\S+)/.exec(r.stdout)?.[1];
    expect(verify).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.stdout).not.toContain("EAAGabcdefghijklmnopqrstuvwxyz");
    expect(read(".env")).toContain("OPENLEGION_CRED_WHATSAPP_ACCESS_TOKEN=EAAGabcdefghijklmnopqrstuvwxyz\n");
    expect(read(".env")).toContain("OPENLEGION_CRED_WHATSAPP_APP_SECRET=0123456789abcdef0123\n");
    expect(read(".env")).toContain(`OPENLEGION_CRED_WHATSAPP_VERIFY_TOKEN=${verify}\n`);
    expect(parse(read("config/mesh.yaml")).channels.whatsapp).toEqual({
      enabled: true,
      phone_number_id: "106540352242922",
    });
  });

  it("adds Slack in HTTP mode: bot token and signing secret, mode recorded", async () => {
    const r = await runCli(
      [
        "channels",
        "add",
        "slack",
        "--mode",
        "http",
        "--token-env",
        "B",
        "--signing-secret-env",
        "S",
        "--dir",
        dir,
      ],
      { env: { B: "xoxb-1234567890-abcdef", S: "0123456789abcdef0123456789abcdef" } },
    );
    expect(r.stderr).toBe("");
    expect(read(".env")).toContain("OPENLEGION_CRED_SLACK_SIGNING_SECRET=0123456789abcdef0123456789abcdef\n");
    expect(read(".env")).not.toMatch(/^OPENLEGION_CRED_SLACK_APP_TOKEN=/m);
    expect(parse(read("config/mesh.yaml")).channels.slack).toEqual({ enabled: true, mode: "http" });
    expect((await runCli(["channels", "remove", "slack", "--dir", dir])).code).toBe(0);
    expect(read(".env")).not.toMatch(/^OPENLEGION_CRED_SLACK_/m);
  });

  it("asks for the token with hidden input on a terminal", async () => {
    const { prompts, asked } = scriptedPrompts([TOKEN]);
    const r = await runCli(["channels", "add", "telegram", "--dir", dir], { isTTY: true, prompts });
    expect(r.code).toBe(0);
    expect(asked).toEqual([expect.objectContaining({ kind: "password" })]);
    expect(read(".env")).toContain(`OPENLEGION_CRED_TELEGRAM_BOT_TOKEN=${TOKEN}\n`);
  });

  it("refuses a malformed token, an unknown agent and a missing terminal without writing anything", async () => {
    const before = [read(".env"), read("config/mesh.yaml")];
    const bad = await runCli(["channels", "add", "telegram", "--token-env", "TG", "--dir", dir], {
      env: { TG: "nope" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("a Telegram bot token looks like");
    const agent = await runCli(
      ["channels", "add", "telegram", "--agent", "ghost", "--token-env", "TG", "--dir", dir],
      {
        env: { TG: TOKEN },
      },
    );
    expect(agent.stderr).toContain("--agent: no agent named ghost");
    const noTty = await runCli(["channels", "add", "telegram", "--dir", dir]);
    expect(noTty.stderr).toContain("pass --token-env");
    expect([read(".env"), read("config/mesh.yaml")]).toEqual(before);
  });

  it("a channels: block with an unknown field is a config error naming file:line", async () => {
    writeFileSync(
      join(dir, "config/mesh.yaml"),
      `${read("config/mesh.yaml")}\nchannels:\n  telegram:\n    enabeld: true\n`,
    );
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\/mesh\.yaml:\d+:\d+ channels\.telegram\.enabeld: .*did you mean/i);
  });
});
