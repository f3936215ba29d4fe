import { type CliIo, EXIT_FAILURE } from "../io.js";

/**
 * What a command that a later version implements does: say so on stderr and exit 1, never pretend
 * success. The command is registered with its real flags, so `--help` already documents them.
 */
export function notYetAvailable(io: CliIo, setExit: (code: number) => void, command: string): void {
  io.stderr(`openlegion ${command}: not yet available in this version\n`);
  setExit(EXIT_FAILURE);
}
