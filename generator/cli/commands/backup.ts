import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const backupFlags = z.strictObject({ out: z.string().min(1).optional() });
const restoreFlags = z.strictObject({ dir: z.string().default(".") });

/** `openlegion backup [dir] [--out FILE]` and `openlegion restore FILE [--dir D]` (generator/backup/). */
export const backupCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("backup")
      .description("online snapshot of a running fleet: every database, the config and a manifest")
      .argument("[dir]", "fleet directory", ".")
      .option("--out <file>", "archive to write (default ./openlegion-backup-<project>-<time>.tar.gz)")
      .action(async (dir: string, flags: unknown) => {
        const parsed = backupFlags.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`backup: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { runBackup } = await import("../../backup/backup.js");
        await runBackup(
          { dir: resolve(io.cwd, dir), ...(parsed.data.out ? { out: parsed.data.out } : {}) },
          io,
        );
        setExit(EXIT_OK);
      });
    program
      .command("restore")
      .description("restore a backup into a stopped (or new) fleet directory, then run openlegion up")
      .argument("<file>", "archive written by openlegion backup")
      .option("--dir <dir>", "fleet directory to restore into (created when missing)", ".")
      .action(async (file: string, flags: unknown) => {
        const parsed = restoreFlags.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`restore: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const { runRestore } = await import("../../backup/restore.js");
        await runRestore({ file, dir: resolve(io.cwd, parsed.data.dir) }, io);
        setExit(EXIT_OK);
      });
  },
};
