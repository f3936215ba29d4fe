import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../../generator/docker/exec.js";
import { imageRef, pickRuntime, readCaBundle } from "../../../generator/docker/images.js";
import { projectName } from "../../../generator/docker/project.js";

describe("base image choice", () => {
  it("uses debian:bookworm-slim when usable, else the locally built Debian", () => {
    expect(pickRuntime(undefined, new Set(["debian:bookworm-slim", "local/debian:bookworm"]))).toBe(
      "debian:bookworm-slim",
    );
    expect(pickRuntime(undefined, new Set(["local/debian:bookworm"]))).toBe("local/debian:bookworm");
    expect(pickRuntime(undefined, new Set())).toBeUndefined();
  });

  it("never swaps an image the user asked for", () => {
    expect(pickRuntime("my/debian:12", new Set(["local/debian:bookworm"]))).toBeUndefined();
    expect(pickRuntime("my/debian:12", new Set(["my/debian:12"]))).toBe("my/debian:12");
  });

  it("tags images with the package version", () => {
    expect(imageRef("egress-proxy", "1.2.3")).toBe("openlegion/egress-proxy:1.2.3");
  });
});

describe("--extra-ca-certs", () => {
  const dir = mkdtempSync(join(tmpdir(), "ol-ca-"));
  it("accepts a PEM bundle and rejects anything else with exit code 2", async () => {
    const pem = join(dir, "ca.pem");
    writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(await readCaBundle(pem)).toContain("BEGIN CERTIFICATE");
    const junk = join(dir, "junk.txt");
    writeFileSync(junk, "hello");
    await expect(readCaBundle(junk)).rejects.toMatchObject({
      code: "OL_ERR_FLEET_BUILD_BAD_CA",
      details: { exitCode: 2 },
    });
    await expect(readCaBundle(join(dir, "missing.pem"))).rejects.toMatchObject({
      code: "OL_ERR_FLEET_BUILD_BAD_CA",
    });
  });
});

describe("project name", () => {
  it("follows COMPOSE_PROJECT_NAME, then the fleet's .env, then the directory name", () => {
    const dir = mkdtempSync(join(tmpdir(), "My.Fleet-"));
    expect(projectName(dir)).toMatch(/^myfleet-/);
    writeFileSync(join(dir, ".env"), "OPENLEGION_MASTER_KEY=x\nCOMPOSE_PROJECT_NAME=team-a\n");
    expect(projectName(dir)).toBe("team-a");
    expect(projectName(dir, { COMPOSE_PROJECT_NAME: "Other" })).toBe("other");
  });
});

describe("LineSplitter", () => {
  it("joins lines split across chunks and handles CR progress output", () => {
    const s = new LineSplitter();
    expect(s.push("Step 1/3 : FR")).toEqual([]);
    expect(s.push("OM x\nStep 2/3\r\nStep 3")).toEqual(["Step 1/3 : FROM x", "Step 2/3"]);
    expect(s.flush()).toEqual(["Step 3"]);
  });
});
