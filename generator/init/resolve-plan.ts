import { BUILTIN_PROVIDERS } from "../../services/common/builtin-providers.js";
import { CliErrors } from "../cli/errors.js";
import type { CliIo, Prompts } from "../cli/io.js";
import { modelRef } from "../config/schemas/common.js";
import {
  apiKeyProblem,
  descriptionProblem,
  type InitFlags,
  type InitPlan,
  isProvider,
  PROVIDER_INFO,
  PROVIDERS,
  type ProviderName,
  providerOfModel,
  TEMPLATE_INFO,
  TEMPLATES,
  type TemplateName,
} from "./options.js";

/** Gets the prompts lazily: tests inject theirs, a real terminal gets @inquirer/prompts. */
export async function promptsOf(io: CliIo): Promise<Prompts> {
  if (io.prompts) return io.prompts;
  const { inquirerPrompts } = await import("./inquirer.js");
  return inquirerPrompts;
}

function resolveProvider(flags: InitFlags): ProviderName | undefined {
  if (flags.provider) return flags.provider;
  if (!flags.model) return undefined;
  const prefix = providerOfModel(flags.model);
  if (isProvider(prefix)) return prefix;
  throw CliErrors.initModelProvider(
    `--model ${flags.model}: init sets up ${PROVIDERS.join(", ")} models; add other providers to config/mesh.yaml afterwards`,
  );
}

function checkModel(model: string, provider: ProviderName): string {
  if (providerOfModel(model) !== provider) {
    throw CliErrors.initModelProvider(
      `model ${model} does not belong to provider ${provider} (expected "${provider}/<model>")`,
    );
  }
  return model;
}

function keyFromEnv(name: string, io: CliIo): string {
  const value = io.env[name];
  if (value === undefined || value === "")
    throw CliErrors.initApiKey(`--api-key-env ${name}: that environment variable is not set or empty`);
  const problem = apiKeyProblem(value);
  // The problem text never contains the value.
  if (problem) throw CliErrors.initApiKey(`--api-key-env ${name}: ${problem}`);
  return value;
}

/**
 * Merges flags, defaults and (on a terminal without --yes) answers into one plan. Flags always win:
 * a question is only asked for what the flags leave open.
 */
export async function resolvePlan(dir: string, flags: InitFlags, io: CliIo): Promise<InitPlan> {
  const interactive = io.isTTY && !flags.yes;
  if (!io.isTTY && !flags.yes) {
    throw CliErrors.initNeedsAnswers(
      "init asks questions but there is no terminal; pass --yes to accept the defaults, with --template, --provider, --model and --api-key-env to choose",
    );
  }
  const prompts = interactive ? await promptsOf(io) : undefined;

  let template: TemplateName = flags.template ?? "starter";
  if (prompts && !flags.template) {
    template = await prompts.select({
      message: "Team template",
      choices: TEMPLATES.map((value) => ({
        value,
        name: `${value} (${TEMPLATE_INFO[value].agents.join(", ")})`,
        description: TEMPLATE_INFO[value].description,
      })),
      default: "starter",
    });
  }

  let provider = resolveProvider(flags) ?? "openai";
  if (prompts && !flags.provider && !flags.model) {
    provider = await prompts.select({
      message: "LLM provider",
      choices: PROVIDERS.map((value) => ({ value, name: PROVIDER_INFO[value].label })),
      default: "openai",
    });
  }

  let model = flags.model ?? PROVIDER_INFO[provider].defaultModel;
  if (prompts && !flags.model) {
    model = await prompts.input({
      message: "Default model (provider/model)",
      default: model,
      validate: (value) => {
        if (!modelRef.safeParse(value).success) return 'use "provider/model", e.g. openai/gpt-4o-mini';
        return providerOfModel(value) === provider
          ? true
          : `pick a ${provider} model ("${provider}/<model>")`;
      },
    });
  }
  checkModel(model, provider);

  let apiKey: string | undefined;
  const inEnv = BUILTIN_PROVIDERS[provider].credential;
  if (flags.apiKeyEnv) apiKey = keyFromEnv(flags.apiKeyEnv, io);
  else if (
    prompts &&
    io.env[inEnv] &&
    apiKeyProblem(io.env[inEnv]) === undefined &&
    (await prompts.confirm({ message: `Use ${inEnv} from your environment as the API key?`, default: true }))
  )
    apiKey = io.env[inEnv];
  else if (prompts) {
    const answer = await prompts.password({
      message: `${PROVIDER_INFO[provider].label} API key (empty: add it to .env later)`,
      validate: (value) => (value === "" ? true : (apiKeyProblem(value) ?? true)),
    });
    apiKey = answer === "" ? undefined : answer;
  }
  let description = flags.description ?? "";
  if (prompts && flags.description === undefined) {
    description = (
      await prompts.input({
        message: "One-line project description (empty: edit PROJECT.md later)",
        default: "",
        validate: (value) => descriptionProblem(value.trim()) ?? true,
      })
    ).trim();
  }
  return { dir, template, provider, model, apiKey, description, force: flags.force };
}
