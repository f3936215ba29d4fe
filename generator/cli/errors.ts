import { type CodeOf, errorKinds } from "../../services/common/errors.js";

const kind = errorKinds("CLI", { cli: true });

/**
 * Usage errors of the CLI's own commands: flags, `init`, `agent add/remove`, `webhook add/remove`
 * (docs/errors/cli.md). Status 400 (exit 2) unless noted: the user's input must change.
 */
export const CliErrors = {
  badFlag: kind("OL_ERR_CLI_BAD_FLAG", 400),
  initFleetExists: kind("OL_ERR_CLI_INIT_FLEET_EXISTS", 400),
  initNotADirectory: kind("OL_ERR_CLI_INIT_NOT_A_DIRECTORY", 400),
  initFileTooLarge: kind("OL_ERR_CLI_INIT_FILE_TOO_LARGE", 400),
  initNeedsAnswers: kind("OL_ERR_CLI_INIT_NEEDS_ANSWERS", 400),
  initModelProvider: kind("OL_ERR_CLI_INIT_MODEL_PROVIDER", 400),
  initApiKey: kind("OL_ERR_CLI_INIT_API_KEY", 400),
  agentNoFleet: kind("OL_ERR_CLI_AGENT_NO_FLEET", 400),
  agentUnreadable: kind("OL_ERR_CLI_AGENT_UNREADABLE", 400),
  agentInvalidId: kind("OL_ERR_CLI_AGENT_INVALID_ID", 400),
  agentExists: kind("OL_ERR_CLI_AGENT_EXISTS", 400),
  agentBadOption: kind("OL_ERR_CLI_AGENT_BAD_OPTION", 400),
  agentUnknown: kind("OL_ERR_CLI_AGENT_UNKNOWN", 400),
  agentInUse: kind("OL_ERR_CLI_AGENT_IN_USE", 400),
  agentNeedsConfirmation: kind("OL_ERR_CLI_AGENT_NEEDS_CONFIRMATION", 400),
  /** The user answered "no": exit 1. */
  agentNotRemoved: kind("OL_ERR_CLI_AGENT_NOT_REMOVED", 500),
  channelBadOption: kind("OL_ERR_CLI_CHANNEL_BAD_OPTION", 400),
  channelUnknown: kind("OL_ERR_CLI_CHANNEL_UNKNOWN", 400),
  webhookExists: kind("OL_ERR_CLI_WEBHOOK_EXISTS", 400),
  webhookUnknown: kind("OL_ERR_CLI_WEBHOOK_UNKNOWN", 400),
  webhookBadOption: kind("OL_ERR_CLI_WEBHOOK_BAD_OPTION", 400),
  webhookUnreadable: kind("OL_ERR_CLI_WEBHOOK_UNREADABLE", 400),
};

export type CliCode = CodeOf<typeof CliErrors>;
