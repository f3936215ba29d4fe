/** Entry point for tests: `import { startFakeSlack } from "<root>/tests/fakes/slack/index.js"`. */
export { type FakeSlack, startFakeSlack } from "./server.js";
