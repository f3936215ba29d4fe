import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ToolErrors } from "../tools/errors.js";
import { defineTool } from "../tools/types.js";
import { toJavaScript } from "./load.js";
import { SKILL_LIMITS, SkillManifest } from "./manifest.js";
import { compileOnly } from "./sandbox.js";

/**
 * create_skill: checks the manifest (zod), the code's size and its syntax (compiled, never run), then
 * writes /data/skills/<name>.js|.ts with the manifest as its first export. Nothing runs until
 * reload_skills loads it.
 */
export const createSkillTool = (where: { dir: () => string; operatorNames: () => Set<string> }) =>
  defineTool({
    name: "create_skill",
    description: `Write a custom skill to /data/skills (replacing your own skill of the same name). \`code\` is an ES module that exports \`async function handler(input, ol)\` and returns JSON; it runs in a sandbox with plain JavaScript only (no import, require, process, fs or timers): \`await ol.http({url, method?, headers?, body?})\` goes through the egress proxy, \`await ol.scratch.read(path)\` / \`ol.scratch.write(path, text)\` use a directory of its own. Limits: ${SKILL_LIMITS.codeBytes} bytes of code, ${SKILL_LIMITS.timeoutMs} ms, ${SKILL_LIMITS.memoryMb} MB, ${SKILL_LIMITS.outputChars} characters of output. Call reload_skills afterwards; the tool is skill_<name>.`,
    input: SkillManifest.extend({
      code: z.string().min(1).describe("The module's source (without the manifest, which is added)"),
      typescript: z.boolean().optional().describe("The code is TypeScript (types are stripped)"),
    }),
    async run(args, ctx) {
      const { code, typescript, ...manifest } = args;
      if (where.operatorNames().has(manifest.name))
        throw ToolErrors.skillInvalid(
          manifest.name,
          "the operator's skills_dir already defines a skill of that name",
        );
      const file = `${manifest.name}.${typescript ? "ts" : "js"}`;
      const source = `export const manifest = ${JSON.stringify(manifest, null, 2)};\n\n${code.trimEnd()}\n`;
      const bytes = Buffer.byteLength(source, "utf8");
      if (bytes > SKILL_LIMITS.codeBytes)
        throw ToolErrors.tooLarge(`the skill (${bytes} bytes)`, SKILL_LIMITS.codeBytes);
      let js: string;
      try {
        js = toJavaScript(source, file);
      } catch (err) {
        throw ToolErrors.skillInvalid(file, err instanceof Error ? err.message : String(err));
      }
      const syntax = compileOnly(js, file);
      if (syntax) throw ToolErrors.skillInvalid(file, syntax);
      const dir = where.dir();
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${file}.${process.pid}.tmp`);
      try {
        await writeFile(tmp, source, { flag: "wx" });
        await rename(tmp, join(dir, file));
        // The other extension's copy would clash with the new file on reload.
        await rm(join(dir, `${manifest.name}.${typescript ? "js" : "ts"}`), { force: true });
      } finally {
        await rm(tmp, { force: true });
      }
      ctx.log.info({ skill: manifest.name }, "skill written");
      return `wrote skills/${file} (${bytes} bytes); call reload_skills to load it as skill_${manifest.name}`;
    },
  });
