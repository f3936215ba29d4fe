import { z } from "zod";
import { modelRef } from "../config/schemas/common.js";

export const TEMPLATES = ["starter", "sales", "devteam", "content"] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/** What `init` offers; `agents` must match templates/teams/<name>/config/agents.yaml (a test checks). */
export const TEMPLATE_INFO: Record<
  TemplateName,
  { agents: readonly [string, ...string[]]; description: string }
> = {
  starter: { agents: ["assistant"], description: "Single general-purpose agent" },
  sales: { agents: ["researcher", "qualifier", "outreach"], description: "Sales pipeline team" },
  devteam: { agents: ["pm", "engineer", "reviewer"], description: "Software development team" },
  content: { agents: ["researcher", "writer", "editor"], description: "Content creation team" },
};

export const PROVIDERS = ["openai", "anthropic", "gemini"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The credential each provider needs is the built-in provider table's (services/common). */
export const PROVIDER_INFO: Record<ProviderName, { label: string; defaultModel: string }> = {
  openai: { label: "OpenAI", defaultModel: "openai/gpt-4o-mini" },
  anthropic: { label: "Anthropic", defaultModel: "anthropic/claude-haiku-4-5" },
  gemini: { label: "Google Gemini", defaultModel: "gemini/gemini-2.5-flash" },
};

/** Longest API key we accept; real keys are < 300 characters. */
export const MAX_API_KEY_LENGTH = 4096;

/**
 * A key goes into .env unquoted, so it must be one printable token: no whitespace (a newline would
 * inject another variable), no quotes, `#`, `$` or backslash (dotenv comment and expansion syntax).
 */
export const API_KEY_PATTERN = /^[\x21-\x7e]+$/;
const API_KEY_FORBIDDEN = /["'`#$\\]/;

export function apiKeyProblem(value: string): string | undefined {
  if (value.length === 0) return "the key is empty";
  if (value.length > MAX_API_KEY_LENGTH) return `the key is longer than ${MAX_API_KEY_LENGTH} characters`;
  if (!API_KEY_PATTERN.test(value) || API_KEY_FORBIDDEN.test(value)) {
    return "the key may only contain printable characters without spaces, quotes, #, $ or backslashes";
  }
  return undefined;
}

/** The one-line project description the wizard writes into PROJECT.md ("What We're Building"). */
export const MAX_DESCRIPTION_LENGTH = 300;

export function descriptionProblem(value: string): string | undefined {
  if (value.length > MAX_DESCRIPTION_LENGTH) return `at most ${MAX_DESCRIPTION_LENGTH} characters`;
  // One line of text: no line breaks or other control characters (PROJECT.md is Markdown agents read).
  if (/\p{Cc}/u.test(value)) return "one line, without control characters";
  return undefined;
}

/** The flags of `openlegion init`, as commander hands them over (all optional). */
export const initFlagsSchema = z.strictObject({
  template: z.enum(TEMPLATES, { error: `--template must be one of ${TEMPLATES.join(", ")}` }).optional(),
  provider: z.enum(PROVIDERS, { error: `--provider must be one of ${PROVIDERS.join(", ")}` }).optional(),
  model: modelRef.optional(),
  apiKeyEnv: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
      "--api-key-env must be an environment variable name, e.g. OPENAI_API_KEY",
    )
    .optional(),
  description: z
    .string()
    .max(MAX_DESCRIPTION_LENGTH, `--description must be at most ${MAX_DESCRIPTION_LENGTH} characters`)
    .refine((v) => descriptionProblem(v) === undefined, "--description must be one line of printable text")
    .optional(),
  yes: z.boolean().default(false),
  force: z.boolean().default(false),
});
export type InitFlags = z.output<typeof initFlagsSchema>;

/** Everything init needs to write a fleet, after flags and answers are merged. */
export interface InitPlan {
  dir: string;
  template: TemplateName;
  provider: ProviderName;
  model: string;
  /** The provider key to write into .env, or undefined for a commented placeholder. Never printed. */
  apiKey: string | undefined;
  /** One line for PROJECT.md, or "" to keep the template's placeholder text. */
  description: string;
  force: boolean;
  /** Free on this host when init ran (init/free-place.ts); default 8420 and 10.231.0.0/16. */
  meshPort?: number;
  subnetPool?: string;
}

export function providerOfModel(model: string): string {
  return model.slice(0, model.indexOf("/"));
}

export const isProvider = (value: string): value is ProviderName =>
  (PROVIDERS as readonly string[]).includes(value);
