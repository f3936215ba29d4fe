/**
 * Parses one chat message into what the user asked for. Pure: nothing here acts, and nothing in the
 * message text is ever executed — a command is only one of this fixed list, and its argument is
 * treated as data (an id, an agent name or a message).
 */
export type ChatCommand =
  | { kind: "start"; code: string }
  | { kind: "allow" | "revoke"; userId: string }
  | { kind: "paired" | "agents" | "costs" | "status" | "help" | "reset" }
  | { kind: "use"; agent: string }
  | { kind: "steer" | "broadcast"; text: string }
  | { kind: "mention"; agent: string; text: string }
  | { kind: "text"; text: string }
  | { kind: "unknown"; name: string };

export const OWNER_ONLY = new Set<ChatCommand["kind"]>([
  "allow",
  "revoke",
  "paired",
  "steer",
  "broadcast",
  "reset",
]);

export const HELP_TEXT = [
  "Commands:",
  "/use <agent> — talk to that agent in this chat",
  "@agent <message> — one message to another agent",
  "/agents — the agents you can reach",
  "/costs — today's spend",
  "/status — agent health",
  "Owner only: /allow <id>, /revoke <id>, /paired, /steer <message>, /broadcast <message>, /reset",
].join("\n");

const NAMED = /^\/([a-z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i;
const MENTION = /^@([a-z][a-z0-9-]{0,30})\s+([\s\S]+)$/;

export function parseCommand(raw: string): ChatCommand {
  const text = raw.trim();
  const mention = MENTION.exec(text);
  if (mention) return { kind: "mention", agent: mention[1]!, text: mention[2]!.trim() };
  const named = NAMED.exec(text);
  if (!named) return { kind: "text", text };
  const name = named[1]!.toLowerCase();
  const arg = (named[2] ?? "").trim();
  switch (name) {
    case "start":
      return { kind: "start", code: arg };
    case "allow":
    case "revoke":
      return { kind: name, userId: arg };
    case "paired":
    case "agents":
    case "costs":
    case "status":
    case "help":
    case "reset":
      return { kind: name };
    case "use":
      return { kind: "use", agent: arg };
    case "steer":
    case "broadcast":
      return { kind: name, text: arg };
    default:
      return { kind: "unknown", name };
  }
}
