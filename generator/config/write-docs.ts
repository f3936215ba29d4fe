import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderConfigDocs } from "./docs.js";

/**
 * `npm run docs:config`: regenerates docs/config.md from the schemas. npm runs scripts from the
 * package root, so the default target is relative to the working directory; argv[2] overrides it.
 */
const target = resolve(process.argv[2] ?? "docs/config.md");
writeFileSync(target, renderConfigDocs());
process.stdout.write(`wrote ${target}\n`);
