/** Entry point for tests: `import { startFakeDiscord } from "<root>/tests/fakes/discord/index.js"`. */
export { type FakeDiscord, startFakeDiscord } from "./server.js";
