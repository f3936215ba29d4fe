import { randomBytes } from "node:crypto";
import { lstat, mkdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { BUILTIN_PROVIDERS } from "../../services/common/builtin-providers.js";
import { MESH_PORT } from "../../services/common/ports.js";
import type { CliIo } from "../cli/io.js";
import { dockerSubnets, POOL_CANDIDATES, pickMeshPort, pickPool } from "./free-place.js";
import type { InitFlags, InitPlan } from "./options.js";
import { PROVIDER_INFO, TEMPLATE_INFO } from "./options.js";
import { templatesRoot } from "./package-root.js";
import { loadTemplates, type RenderedFile, renderTemplates } from "./render-templates.js";
import { resolvePlan } from "./resolve-plan.js";
import {
  assertFleetDir,
  existingFleetFiles,
  fleetExistsError,
  type WriteReport,
  writeFleet,
} from "./write-fleet.js";

/** 32 random bytes, base64url: the size env.ts requires of OPENLEGION_MASTER_KEY. */
export const newMasterKey = (): string => randomBytes(32).toString("base64url");

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Renders the files of a plan (pure apart from reading templates/ and the fresh master key). */
export async function renderPlan(plan: InitPlan, masterKey = newMasterKey()): Promise<RenderedFile[]> {
  const info = PROVIDER_INFO[plan.provider];
  const templates = await loadTemplates(templatesRoot(), plan.template);
  return renderTemplates(templates, {
    template: plan.template,
    provider: plan.provider,
    providerLabel: info.label,
    model: plan.model,
    credential: BUILTIN_PROVIDERS[plan.provider].credential,
    firstAgent: TEMPLATE_INFO[plan.template].agents[0],
    masterKey,
    apiKey: plan.apiKey ?? "",
    description: plan.description,
    meshPort: plan.meshPort ?? MESH_PORT,
    subnetPool: plan.subnetPool ?? POOL_CANDIDATES[0]!,
  });
}

/**
 * A mesh port nothing listens on and a subnet pool no Docker network overlaps, so a second fleet on
 * the host comes up with zero edits (issue 16 item 3). Without Docker, the defaults.
 */
async function freePlace(io: CliIo): Promise<{ meshPort: number; subnetPool: string }> {
  const { DockerHost } = await import("../docker/host.js");
  const host = await DockerHost.open(io.env).catch(() => undefined);
  const taken = await dockerSubnets(host).catch(() => []);
  return {
    meshPort: await pickMeshPort(),
    subnetPool: pickPool(taken) ?? POOL_CANDIDATES[0]!,
  };
}

export interface InitResult {
  plan: InitPlan;
  report: WriteReport;
}

export async function runInit(dirArg: string | undefined, flags: InitFlags, io: CliIo): Promise<InitResult> {
  const dir = resolve(io.cwd, dirArg ?? ".");
  await assertFleetDir(dir);
  // Refuse before asking anything: answering questions only to be told "exists" is rude.
  if (!flags.force && (await exists(join(dir, "config/agents.yaml"))))
    throw fleetExistsError(dir, ["config/agents.yaml"]);

  const plan = { ...(await resolvePlan(dir, flags, io)), ...(await freePlace(io)) };
  const files = await renderPlan(plan);
  const existing = await existingFleetFiles(dir, files);
  if (existing.length > 0 && !plan.force) throw fleetExistsError(dir, existing);

  await mkdir(join(dir, "config/workflows"), { recursive: true });
  const report = await writeFleet(dir, files);
  io.stdout(summary(dir, plan, report, io.cwd));
  return { plan, report };
}

function summary(dir: string, plan: InitPlan, report: WriteReport, cwd: string): string {
  const lines = [
    `Created a "${plan.template}" fleet (${TEMPLATE_INFO[plan.template].agents.join(", ")}) in ${dir}`,
  ];
  for (const file of report.files) {
    const note = file.note ? ` (${file.note})` : "";
    lines.push(`  ${file.outcome.padEnd(11)} ${file.path}${note}`);
  }
  const credential = `OPENLEGION_CRED_${BUILTIN_PROVIDERS[plan.provider].credential}`;
  const rel = relative(cwd, dir);
  const shown = rel.startsWith("..") ? dir : rel;
  lines.push(
    `  mesh on 127.0.0.1:${plan.meshPort ?? MESH_PORT}, networks from ${plan.subnetPool ?? POOL_CANDIDATES[0]} (free on this host; config/mesh.yaml)`,
  );
  lines.push("", "Next steps:");
  if (rel !== "") lines.push(`  cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`);
  if (!plan.apiKey) lines.push(`  set ${credential} in .env`);
  lines.push(
    plan.description === ""
      ? "  edit PROJECT.md: describe your project (every agent reads it)"
      : "  edit PROJECT.md: refine the description and priorities (every agent reads it)",
    "  openlegion validate",
    "  openlegion up",
  );
  return `${lines.join("\n")}\n`;
}
