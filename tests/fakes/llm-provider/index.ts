/** Entry point for tests: `import { startFakeProvider } from "<root>/tests/fakes/llm-provider/index.js"`. */
export { answerSchema, parseAnswer } from "./answers.js";
export { cosine, embed } from "./embed.js";
export { errorBody } from "./errors.js";
export { DEFAULT_DIMENSIONS } from "./openai.js";
export { DEFAULT_MODELS, startFakeProvider } from "./server.js";
export {
  completionTokens,
  countTokens,
  defaultReplyText,
  type PromptInfo,
  promptTokens,
} from "./tokens.js";
export type * from "./types.js";
