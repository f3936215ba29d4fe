import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CliErrors } from "../cli/errors.js";
import type { CliIo } from "../cli/io.js";
import { FLEET_FILES } from "../config/load.js";
import { readConfigText } from "../config/read.js";
import { CRED_PREFIX } from "../config/schemas/env.js";
import { writeFileAtomic } from "./atomic.js";
import { removeEnvText, setEnvText } from "./env-edit.js";
import { readFleetForEdit } from "./fleet-io.js";
import { removeMapEntryText, setMapEntryText } from "./mesh-yaml.js";
import { validateWith } from "./webhook-edit.js";

const MESH_FILE = FLEET_FILES.mesh;

interface SecretAsk {
  credential: string;
  /** Which option names an environment variable holding it; undefined = generated here. */
  flag?: "tokenEnv" | "appSecretEnv" | "appTokenEnv" | "signingSecretEnv";
  prompt: string;
  shape: RegExp;
  hint: string;
}

/** Channels `channels add` can set up in this version: each secret's shape and where to get it. */
/** Slack's bot token is asked in both modes (Socket Mode and HTTP events). */
const SLACK_BOT_TOKEN_ASK: SecretAsk = {
  credential: "SLACK_BOT_TOKEN",
  flag: "tokenEnv",
  prompt:
    "Slack bot token (api.slack.com/apps → your app → OAuth & Permissions → Bot User OAuth Token, xoxb-…)",
  shape: /^xoxb-[A-Za-z0-9-]{10,}$/,
  hint: "a Slack bot token starts with xoxb-",
};

const SETUP: Record<string, SecretAsk[]> = {
  telegram: [
    {
      credential: "TELEGRAM_BOT_TOKEN",
      flag: "tokenEnv",
      prompt: "Telegram bot token (from @BotFather, /newbot)",
      shape: /^\d{5,}:[A-Za-z0-9_-]{30,}$/,
      hint: "a Telegram bot token looks like 123456789:AA… (digits, a colon, 35 characters)",
    },
  ],
  discord: [
    {
      credential: "DISCORD_BOT_TOKEN",
      flag: "tokenEnv",
      prompt: "Discord bot token (discord.com/developers/applications → your app → Bot → Reset Token)",
      shape: /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/,
      hint: "a Discord bot token is three dot-separated parts (about 70 characters)",
    },
  ],
  slack: [
    SLACK_BOT_TOKEN_ASK,
    {
      credential: "SLACK_APP_TOKEN",
      flag: "appTokenEnv",
      prompt: "Slack app-level token with connections:write (Basic Information → App-Level Tokens, xapp-…)",
      shape: /^xapp-[A-Za-z0-9-]{10,}$/,
      hint: "a Slack app-level token starts with xapp-",
    },
  ],
  "slack:http": [
    SLACK_BOT_TOKEN_ASK,
    {
      credential: "SLACK_SIGNING_SECRET",
      flag: "signingSecretEnv",
      prompt: "Slack signing secret (Basic Information → App Credentials)",
      shape: /^[a-f0-9]{16,128}$/,
      hint: "a Slack signing secret is 32 hex characters",
    },
  ],
  whatsapp: [
    {
      credential: "WHATSAPP_ACCESS_TOKEN",
      flag: "tokenEnv",
      prompt: "WhatsApp access token (Meta app → WhatsApp → API Setup, or a system user token)",
      shape: /^[A-Za-z0-9_-]{20,1024}$/,
      hint: "a WhatsApp access token is 20 or more letters and digits (it usually starts with EAA)",
    },
    {
      credential: "WHATSAPP_APP_SECRET",
      flag: "appSecretEnv",
      prompt: "Meta app secret (App settings → Basic → App secret)",
      shape: /^[A-Za-z0-9]{16,128}$/,
      hint: "an app secret is 16 or more letters and digits",
    },
    { credential: "WHATSAPP_VERIFY_TOKEN", prompt: "", shape: /^/, hint: "" },
  ],
};

export interface ChannelAddOptions {
  dir?: string;
  agent?: string;
  tokenEnv?: string;
  appSecretEnv?: string;
  appTokenEnv?: string;
  signingSecretEnv?: string;
  phoneNumberId?: string;
  mode?: string;
}

function setupOf(channel: string, mode?: string): SecretAsk[] {
  if (mode !== undefined && (channel !== "slack" || !["socket", "http"].includes(mode)))
    throw CliErrors.channelBadOption("--mode is socket or http, and only for slack");
  const setup = SETUP[mode === "http" ? "slack:http" : channel];
  if (setup && channel !== "slack:http") return setup;
  throw CliErrors.channelBadOption(
    `unknown channel ${JSON.stringify(channel.slice(0, 40))} (telegram|discord|slack|whatsapp)`,
  );
}

async function meshText(dir: string): Promise<string> {
  const outcome = await readConfigText(join(dir, MESH_FILE), MESH_FILE);
  if (outcome.kind === "issue") {
    const { line, col, message } = outcome.issue;
    throw CliErrors.channelBadOption(`${MESH_FILE}:${line}:${col}: ${message}`);
  }
  return outcome.kind === "text" ? outcome.text : "";
}

const readEnv = (dir: string) => readFile(join(dir, ".env"), "utf8").catch(() => "");

const flagName = {
  tokenEnv: "--token-env",
  appSecretEnv: "--app-secret-env",
  appTokenEnv: "--app-token-env",
  signingSecretEnv: "--signing-secret-env",
} as const;

async function askSecret(ask: SecretAsk, o: ChannelAddOptions, io: CliIo): Promise<string> {
  if (!ask.flag) return randomBytes(24).toString("base64url");
  const check = (v: string) => (ask.shape.test(v) ? true : ask.hint);
  const envName = o[ask.flag];
  const flag = flagName[ask.flag];
  if (envName) {
    const value = io.env[envName];
    if (!value)
      throw CliErrors.channelBadOption(`${flag} ${envName}: that environment variable is not set or empty`);
    // The message never contains the value.
    if (check(value) !== true) throw CliErrors.channelBadOption(`${flag} ${envName}: ${ask.hint}`);
    return value;
  }
  if (!io.isTTY && !io.prompts)
    throw CliErrors.channelBadOption(
      `no terminal to ask for the secret: pass ${flag} <NAME> (a variable holding it)`,
    );
  const { promptsOf } = await import("../init/resolve-plan.js");
  return (await promptsOf(io)).password({ message: ask.prompt, validate: check });
}

async function phoneNumberId(o: ChannelAddOptions, io: CliIo): Promise<string> {
  const valid = (v: string) =>
    /^\d{5,20}$/.test(v) ? true : "the phone number id is digits (API Setup page)";
  if (o.phoneNumberId !== undefined) {
    const ok = valid(o.phoneNumberId);
    if (ok !== true) throw CliErrors.channelBadOption(`--phone-number-id: ${ok}`);
    return o.phoneNumberId;
  }
  if (!io.isTTY && !io.prompts)
    throw CliErrors.channelBadOption("--phone-number-id is required without a terminal");
  const { promptsOf } = await import("../init/resolve-plan.js");
  return (await promptsOf(io)).input({
    message: "WhatsApp phone number id (API Setup page)",
    validate: valid,
  });
}

/** Writes the token to .env (0600) and `channels.<name>` to mesh.yaml, both in place; validates first. */
export async function runChannelAdd(channel: string, o: ChannelAddOptions, io: CliIo): Promise<void> {
  const setup = setupOf(channel, o.mode);
  const edit = await readFleetForEdit(o.dir, io.cwd);
  const agents = edit.fleet.agents.map((a) => a.id);
  if (o.agent !== undefined && !agents.includes(o.agent))
    throw CliErrors.channelBadOption(
      `--agent: no agent named ${o.agent} (agents: ${agents.join(", ") || "none"})`,
    );
  const entry: Record<string, unknown> = { enabled: true };
  if (o.agent) entry.default_agent = o.agent;
  if (channel === "whatsapp") entry.phone_number_id = await phoneNumberId(o, io);
  if (o.mode === "http") entry.mode = "http";
  const mesh = setMapEntryText(await meshText(edit.dir), "channels", channel, entry);
  await validateWith(edit.dir, mesh);
  let env = await readEnv(edit.dir);
  const keys: string[] = [];
  let verifyToken: string | undefined;
  for (const ask of setup) {
    const value = await askSecret(ask, o, io);
    if (!ask.flag) verifyToken = value;
    keys.push(CRED_PREFIX + ask.credential);
    env = setEnvText(
      env,
      CRED_PREFIX + ask.credential,
      value,
      `${channel} channel (openlegion channels add)`,
    );
  }
  await writeFileAtomic(join(edit.dir, ".env"), env, 0o600);
  await writeFileAtomic(join(edit.dir, MESH_FILE), mesh);
  const webhook =
    verifyToken === undefined
      ? []
      : [
          "In the Meta app dashboard (WhatsApp → Configuration → Webhook) set:",
          "  Callback URL: https://<your public host>/webhook/whatsapp (forwarded to the mesh's port)",
          `  Verify token: ${verifyToken}   (also in .env as ${CRED_PREFIX}WHATSAPP_VERIFY_TOKEN)`,
          "  and subscribe to the messages field.",
        ];
  io.stdout(
    [
      `Added the ${channel} channel: ${keys.join(", ")} in .env, channels.${channel} in ${MESH_FILE}.`,
      ...webhook,
      `Next: openlegion up -d (starts the adapter; agents keep running), then \`openlegion channels pair ${channel}\``,
      "shows the pairing code: send /start <code> to your bot.",
      "",
    ].join("\n"),
  );
}

export async function runChannelRemove(channel: string, o: { dir?: string }, io: CliIo): Promise<void> {
  const setup = [...(SETUP[channel] ?? []), ...(channel === "slack" ? SETUP["slack:http"]! : [])];
  const edit = await readFleetForEdit(o.dir, io.cwd);
  const text = await meshText(edit.dir);
  const configured = (edit.fleet.mesh.channels as Record<string, unknown>)[channel] !== undefined;
  if (!configured) throw CliErrors.channelUnknown(`no ${channel} channel in ${MESH_FILE}`);
  const mesh = removeMapEntryText(text, "channels", channel);
  await validateWith(edit.dir, mesh);
  await writeFileAtomic(join(edit.dir, MESH_FILE), mesh);
  let env = await readEnv(edit.dir);
  for (const ask of setup) env = removeEnvText(env, CRED_PREFIX + ask.credential);
  if (setup.length > 0) await writeFileAtomic(join(edit.dir, ".env"), env, 0o600);
  io.stdout(`Removed the ${channel} channel and its token; \`openlegion up -d\` disconnects it.\n`);
}
