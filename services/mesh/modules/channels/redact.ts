/** Anything shaped like a Telegram bot token (`<bot id>:<35 chars>`), wherever it appears (URLs, errors). */
const TELEGRAM_TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;
/** Slack tokens: xoxb-, xoxp-, xapp-… */
const SLACK_TOKEN = /\bx(?:ox[abprs]|app)-[A-Za-z0-9-]{8,}/g;

/**
 * Removes every secret from a text before it is logged, stored or shown: the exact values the
 * mesh holds, and anything shaped like a platform token (a bot framework's error may quote its URL,
 * and Telegram's URL holds the token).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join("<redacted>");
  return out.replace(TELEGRAM_TOKEN, "<redacted>").replace(SLACK_TOKEN, "<redacted>");
}
