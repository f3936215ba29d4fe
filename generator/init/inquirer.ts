import { confirm, input, password, select } from "@inquirer/prompts";
import type { Prompts } from "../cli/io.js";

/** The real prompts (a terminal). Loaded only when a question is actually asked. */
export const inquirerPrompts: Prompts = {
  select: (q) =>
    select({ message: q.message, choices: [...q.choices], ...(q.default ? { default: q.default } : {}) }),
  input: (q) => input(q),
  password: (q) => password({ ...q, mask: true }),
  confirm: (q) => confirm(q),
};
