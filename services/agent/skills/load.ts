import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { stripTypeScriptTypes } from "node:module";
import { extname, join, sep } from "node:path";
import { SKILL_LIMITS, SkillManifest } from "./manifest.js";
import { inspectSkill } from "./sandbox.js";

/** operator = the agents.yaml `skills_dir` (mounted read-only); agent = /data/skills (its own). */
export type SkillOrigin = "operator" | "agent";

export interface LoadedSkill {
  manifest: SkillManifest;
  /** JavaScript (TypeScript already stripped) run in a fresh isolate per call. */
  code: string;
  file: string;
  origin: SkillOrigin;
}

export interface SkippedSkill {
  file: string;
  origin: SkillOrigin;
  error: string;
}

export const SKILL_EXTENSIONS = [".js", ".mjs", ".ts"] as const;
/** Files read from one directory; the rest are reported once. */
const MAX_FILES = 200;

const issues = (err: { issues: readonly { path: PropertyKey[]; message: string }[] }) =>
  err.issues.map((i) => `manifest.${i.path.map(String).join(".")}: ${i.message}`).join("; ");

/** TypeScript is accepted by erasing its types (Node's own stripper, amaro): no transform, no eval. */
export function toJavaScript(source: string, file: string): string {
  return extname(file) === ".ts" ? stripTypeScriptTypes(source, { mode: "strip" }) : source;
}

/** One skill file → its manifest, checked; throws an Error whose message says what is wrong. */
export async function loadSkillFile(
  path: string,
  file: string,
): Promise<{ manifest: SkillManifest; code: string }> {
  const st = await lstat(path);
  if (!st.isFile()) throw new Error("not a regular file (symlinks are not followed)");
  const size = st.size;
  if (size > SKILL_LIMITS.codeBytes)
    throw new Error(`${size} bytes; a skill file may have at most ${SKILL_LIMITS.codeBytes}`);
  const code = toJavaScript(await readFile(path, "utf8"), file);
  const raw = await inspectSkill(code, file);
  const parsed = SkillManifest.safeParse(raw);
  if (!parsed.success) throw new Error(raw === null ? "exports no manifest" : issues(parsed.error));
  const stem = file.slice(0, -extname(file).length);
  if (parsed.data.name !== stem)
    throw new Error(`manifest.name "${parsed.data.name}" must match the file name ("${stem}")`);
  return { manifest: parsed.data, code };
}

/**
 * Every skill in the directories, in order (the operator's first: on a name clash the agent's copy is
 * skipped). A broken file is reported in `skipped` with the reason and never stops the others.
 */
export async function loadSkills(
  dirs: readonly { dir: string; origin: SkillOrigin; within?: string }[],
): Promise<{ skills: LoadedSkill[]; skipped: SkippedSkill[] }> {
  const skills: LoadedSkill[] = [];
  const skipped: SkippedSkill[] = [];
  for (const { dir, origin, within } of dirs) {
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined) continue;
    // The agent controls /data: its skills directory must not be a link to somewhere else.
    if (within !== undefined && !real.startsWith(within + sep)) {
      skipped.push({ file: dir, origin, error: "the skills directory resolves outside /data; not read" });
      continue;
    }
    const names = await readdir(real).catch(() => [] as string[]);
    const files = names
      .filter((n) => !n.startsWith(".") && (SKILL_EXTENSIONS as readonly string[]).includes(extname(n)))
      .sort();
    if (files.length > MAX_FILES)
      skipped.push({
        file: dir,
        origin,
        error: `${files.length} skill files; only the first ${MAX_FILES} are read`,
      });
    for (const file of files.slice(0, MAX_FILES)) {
      const shown = origin === "agent" ? `skills/${file}` : `${dir}/${file}`;
      try {
        const loaded = await loadSkillFile(join(real, file), file);
        const taken = skills.find((s) => s.manifest.name === loaded.manifest.name);
        if (taken) throw new Error(`the name "${loaded.manifest.name}" is already taken by ${taken.file}`);
        skills.push({ ...loaded, file: shown, origin });
      } catch (err) {
        skipped.push({ file: shown, origin, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { skills, skipped };
}
