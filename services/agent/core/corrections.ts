/**
 * A user correction ("no, …", "actually, …", "that's wrong", "I meant …") at the start of a chat
 * message (pure). Recorded in learnings/corrections.md, which every later system prompt shows.
 */
const CORRECTION =
  /^\s*(no[,.!:;]|nope\b|actually\b|not quite\b|that'?s (wrong|not right|incorrect|not what)|wrong[,.!:]|i meant\b|i said\b|please don'?t\b|stop doing\b)/i;

export const CORRECTION_MAX_CHARS = 500;

export const isCorrection = (message: string): boolean => CORRECTION.test(message);

/** One line of learnings/corrections.md: time and the message, whitespace folded, capped. */
export const correctionLine = (at: Date, message: string): string =>
  `- ${at.toISOString()} ${message.replace(/\s+/g, " ").trim().slice(0, CORRECTION_MAX_CHARS)}\n`;
