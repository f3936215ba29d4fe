/** Entry point for tests: `import { startFakeTelegram } from "<root>/tests/fakes/telegram/index.js"`. */
export { type FakeTelegram, type SentMessage, startFakeTelegram, type Update } from "./server.js";
