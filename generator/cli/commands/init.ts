import { CliErrors } from "../errors.js";
import { type CommandModule, EXIT_OK } from "../io.js";

interface InitCliFlags {
  template?: string;
  provider?: string;
  model?: string;
  apiKeyEnv?: string;
  description?: string;
  yes?: boolean;
  force?: boolean;
}

/** zod issue → `--model: model must be …`, unless the message already names its flag. */
function flagMessage(issue: { path: PropertyKey[]; message: string }): string {
  const flag = `--${String(issue.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return issue.message.startsWith("--") ? issue.message : `${flag}: ${issue.message}`;
}

export const initCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("init")
      .alias("setup")
      .description("create a fleet: config/, PROJECT.md, .env, .gitignore")
      .argument("[dir]", "fleet directory (created if missing)", ".")
      .option("-t, --template <name>", "team template: starter, sales, devteam or content (default: starter)")
      .option("--provider <name>", "LLM provider: openai, anthropic or gemini (default: openai)")
      .option("--model <provider/model>", "default model, e.g. openai/gpt-4o-mini")
      .option("--api-key-env <NAME>", "read the provider API key from this environment variable into .env")
      .option("--description <text>", "one line for PROJECT.md: what the project is")
      .option("-y, --yes", "do not ask; use flags and defaults (needed without a terminal)")
      .option("--force", "overwrite the config/ files of an existing fleet (.env and PROJECT.md are kept)")
      .action(async (dir: string, flags: InitCliFlags) => {
        const [{ initFlagsSchema }, { runInit }] = await Promise.all([
          import("../../init/options.js"),
          import("../../init/run.js"),
        ]);
        const parsed = initFlagsSchema.safeParse({
          ...flags,
          yes: flags.yes ?? false,
          force: flags.force ?? false,
        });
        if (!parsed.success) {
          throw CliErrors.badFlag(parsed.error.issues.map(flagMessage).join("; "));
        }
        await runInit(dir, parsed.data, io);
        setExit(EXIT_OK);
      });
  },
};
