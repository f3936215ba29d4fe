#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import("../dist/generator/cli/main.js").catch((err) => {
  if (
    err &&
    err.code === "ERR_MODULE_NOT_FOUND" &&
    String(err.message).includes("dist/generator/cli/main.js")
  ) {
    process.stderr.write("openlegion: not built yet; run `npm run build` first\n");
    process.exit(1);
  }
  throw err;
});
