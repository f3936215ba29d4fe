/** Entry point for tests: `import { startFakeWhatsApp } from "<root>/tests/fakes/whatsapp/index.js"`. */
export { type FakeWhatsApp, type Sent, startFakeWhatsApp } from "./server.js";
