import { describe, expect, it } from "vitest";
import { checkDocker, composeArgv, composeHint, detectCompose } from "../../../generator/docker/compose.js";
import type { Exec, ExecResult } from "../../../generator/docker/exec.js";

/** A scripted Exec: "file args…" → result. The programs are the thing outside our code here. */
function scripted(table: Record<string, Partial<ExecResult>>): Exec & { calls: string[] } {
  const calls: string[] = [];
  const exec = (async (file: string, args: readonly string[]) => {
    const key = [file, ...args].join(" ");
    calls.push(key);
    const r = table[key];
    if (!r) return { exitCode: 127, stdout: "", stderr: `${file}: not found`, notFound: true };
    return { exitCode: 0, stdout: "", stderr: "", notFound: false, ...r };
  }) as Exec & { calls: string[] };
  exec.calls = calls;
  return exec;
}

describe("detectCompose", () => {
  it("prefers the v2 plugin when present", async () => {
    const exec = scripted({
      "docker compose version --short": { stdout: "2.27.0\n" },
      "docker-compose version --short": { stdout: "1.29.2\n" },
    });
    const cli = await detectCompose(exec);
    expect(cli).toEqual({
      dialect: "v2",
      version: { major: 2, minor: 27, patch: 0 },
      command: ["docker", "compose"],
    });
  });

  it("falls back to docker-compose v1 when the plugin is missing", async () => {
    const exec = scripted({
      "docker compose version --short": { exitCode: 1, stderr: "docker: unknown command: docker compose" },
      "docker-compose version --short": { stdout: "1.29.2\n" },
    });
    expect((await detectCompose(exec)).dialect).toBe("v1");
  });

  it("treats a standalone docker-compose 2.x as v2", async () => {
    const exec = scripted({ "docker-compose version --short": { stdout: "2.20.3" } });
    expect(await detectCompose(exec)).toMatchObject({ dialect: "v2", command: ["docker-compose"] });
  });

  it("honours OPENLEGION_COMPOSE", async () => {
    const exec = scripted({ "docker-compose version --short": { stdout: "1.29.2" } });
    await detectCompose(exec, { OPENLEGION_COMPOSE: "docker-compose" });
    expect(exec.calls).toEqual(["docker-compose version --short"]);
  });

  it("says how to install Compose when neither exists", async () => {
    await expect(detectCompose(scripted({}))).rejects.toMatchObject({ code: "OL_ERR_FLEET_COMPOSE_MISSING" });
  });
});

describe("checkDocker", () => {
  it("returns the engine version", async () => {
    const exec = scripted({ "docker version --format {{.Server.Version}}": { stdout: "20.10.24\n" } });
    expect(await checkDocker(exec)).toBe("20.10.24");
  });

  it.each([
    [{ exitCode: 127, notFound: true }, "OL_ERR_FLEET_DOCKER_MISSING", /install Docker/],
    [
      { exitCode: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." },
      "OL_ERR_FLEET_DOCKER_DAEMON_DOWN",
      /start it/,
    ],
    [
      {
        exitCode: 1,
        stderr:
          "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
      },
      "OL_ERR_FLEET_DOCKER_PERMISSION",
      /docker group/,
    ],
  ])("fails with a fix: %j", async (result, code, fix) => {
    const exec = scripted({ "docker version --format {{.Server.Version}}": result });
    const error = await checkDocker(exec).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(fix);
  });
});

describe("checkDocker with a DOCKER_HOST that does not answer", () => {
  it("runs the real docker CLI against a socket nobody serves and names DOCKER_HOST in the error", async (ctx) => {
    const { execaExec } = await import("../../../generator/docker/exec.js");
    if ((await execaExec("docker", ["--version"])).notFound) {
      console.warn("skipped: no docker CLI on this machine");
      ctx.skip();
    }
    const host = `unix:///tmp/ol-no-daemon-${process.pid}.sock`;
    // The real docker binary, pointed at a socket that does not exist (no engine is contacted).
    const exec: typeof execaExec = (file, args, opts) =>
      execaExec(file, args, { ...opts, env: { ...opts?.env, DOCKER_HOST: host } });
    const error = await checkDocker(exec, { DOCKER_HOST: host }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "OL_ERR_FLEET_DOCKER_DAEMON_DOWN" });
    expect((error as Error).message).toBe(
      `no Docker daemon answers at DOCKER_HOST=${host}: check that address (or unset DOCKER_HOST to use the local daemon) and retry`,
    );
  });
});

describe("composeArgv", () => {
  it("puts -f and -p before the subcommand, identically for both dialects", () => {
    const v1 = {
      dialect: "v1" as const,
      version: { major: 1, minor: 29, patch: 2 },
      command: ["docker-compose"],
    };
    const v2 = {
      dialect: "v2" as const,
      version: { major: 2, minor: 27, patch: 0 },
      command: ["docker", "compose"],
    };
    const opts = { cwd: "/f", projectName: "fleet", files: ["docker-compose.yml", "test.yml"] };
    expect(composeArgv(v1, ["up", "-d"], opts)).toEqual([
      "-f",
      "docker-compose.yml",
      "-f",
      "test.yml",
      "-p",
      "fleet",
      "up",
      "-d",
    ]);
    expect(composeArgv(v2, ["ps"], { cwd: "/f", projectName: "fleet" })).toEqual([
      "compose",
      "-p",
      "fleet",
      "ps",
    ]);
  });
});

describe("composeHint", () => {
  it("tells how to fix two fleets sharing a subnet pool", () => {
    const out =
      'Creating network "b_control" with driver "bridge"\nPool overlaps with other one on this address space';
    expect(composeHint(out)).toMatch(/egress\.subnet_pool in config\/mesh\.yaml/);
  });

  it("adds nothing to failures Docker already explains", () => {
    expect(composeHint("ERROR: manifest for openlegion/agent:0.1.0 not found")).toBe("");
  });
});
