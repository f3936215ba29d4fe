import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { RenderErrors } from "./errors.js";
import { TOKEN_GENERATIONS_FILE, type TokenGenerations } from "./secrets.js";

/** Token generations of the fleet in `dir` (missing file → {}). A malformed file stops render. */
export function readTokenGenerations(dir: string): TokenGenerations {
  const path = join(dir, TOKEN_GENERATIONS_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === "object" &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => Number.isInteger(v) && (v as number) >= 0);
  if (!valid)
    throw RenderErrors.localState(
      `${TOKEN_GENERATIONS_FILE}: expected an object of agent id → non-negative integer`,
    );
  return parsed as TokenGenerations;
}

/** The PEM text of egress.extra_ca_bundle (relative to the fleet dir), for the proxy's upstream TLS. */
export function readExtraCa(fleet: FleetConfig, dir: string): { extraCaPem?: string } {
  const bundle = fleet.mesh.egress.extra_ca_bundle;
  if (bundle === undefined) return {};
  const path = isAbsolute(bundle) ? bundle : join(dir, bundle);
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw RenderErrors.localState(
      `config/mesh.yaml: egress.extra_ca_bundle: cannot read ${bundle} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw RenderErrors.localState(
      `config/mesh.yaml: egress.extra_ca_bundle: ${bundle} holds no PEM certificate`,
    );
  return { extraCaPem: pem };
}
