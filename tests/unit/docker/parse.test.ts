import { describe, expect, it } from "vitest";
import {
  classifyDockerFailure,
  normalizeProjectName,
  parseBytes,
  parseComposeVersion,
  parseContainers,
  parseIds,
  parseStats,
} from "../../../generator/docker/parse.js";

describe("parseComposeVersion", () => {
  it.each([
    ["1.29.2", { major: 1, minor: 29, patch: 2 }],
    ["docker-compose version 1.29.2, build unknown", { major: 1, minor: 29, patch: 2 }],
    ["v2.24.5", { major: 2, minor: 24, patch: 5 }],
    ["2.24.5\n", { major: 2, minor: 24, patch: 5 }],
    ["Docker Compose version v2.29.1-desktop.1", { major: 2, minor: 29, patch: 1 }],
  ])("reads %j", (text, want) => {
    expect(parseComposeVersion(text)).toEqual(want);
  });

  it.each(["", "docker: unknown command: docker compose", "version unknown"])("rejects %j", (text) => {
    expect(parseComposeVersion(text)).toBeUndefined();
  });
});

describe("classifyDockerFailure", () => {
  it("recognises a stopped daemon, a socket permission problem and anything else", () => {
    expect(
      classifyDockerFailure(
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
      ),
    ).toBe("daemon-down");
    expect(
      classifyDockerFailure(
        'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version"',
      ),
    ).toBe("permission");
    expect(classifyDockerFailure("Error response from daemon: something else")).toBe("other");
  });
});

/** Trimmed real `docker inspect` output (Engine 20.10, docker-compose 1.29.2 labels). */
const INSPECT = JSON.stringify([
  {
    Id: "b".repeat(64),
    Name: "/olf1_mesh_1",
    RestartCount: 0,
    State: {
      Status: "running",
      StartedAt: "2026-01-02T03:04:05.123456789Z",
      ExitCode: 0,
      Health: { Status: "healthy", FailingStreak: 0 },
    },
    Config: {
      Image: "openlegion/mesh:0.1.0",
      Labels: {
        "com.docker.compose.project": "olf1",
        "com.docker.compose.service": "mesh",
        "com.docker.compose.oneoff": "False",
        "io.openlegion.config-hash": "abc",
      },
    },
  },
  {
    Id: "a".repeat(64),
    Name: "/olf1_agent-assistant_1",
    RestartCount: 2,
    State: { Status: "restarting", StartedAt: "0001-01-01T00:00:00Z", ExitCode: 1 },
    Config: {
      Image: "openlegion/agent:0.1.0",
      Labels: { "com.docker.compose.project": "olf1", "com.docker.compose.service": "agent-assistant" },
    },
  },
]);

describe("parseContainers", () => {
  it("maps inspect JSON to containers sorted by service, with health, start time and labels", () => {
    const [agent, mesh] = parseContainers(INSPECT);
    expect(agent).toMatchObject({
      name: "olf1_agent-assistant_1",
      service: "agent-assistant",
      state: "restarting",
      health: "none",
      startedAt: undefined,
      exitCode: 1,
      restartCount: 2,
      oneOff: false,
    });
    expect(mesh).toMatchObject({ service: "mesh", project: "olf1", state: "running", health: "healthy" });
    expect(mesh?.startedAt?.toISOString()).toBe("2026-01-02T03:04:05.123Z");
    expect(mesh?.labels["io.openlegion.config-hash"]).toBe("abc");
  });

  it("throws on a shape it does not know instead of guessing", () => {
    expect(() => parseContainers('[{"Id": 1}]')).toThrow();
  });
});

describe("ids, sizes and stats", () => {
  it("keeps only container ids from ps -q output", () => {
    expect(parseIds(`${"c".repeat(64)}\n\nWARNING: x\n0123456789ab\n`)).toEqual([
      "c".repeat(64),
      "0123456789ab",
    ]);
  });

  it.each([
    ["12.5MiB", 13_107_200],
    ["1GiB", 1_073_741_824],
    ["1.5GB", 1_500_000_000],
    ["512B", 512],
    ["3kB", 3000],
    ["lots", undefined],
  ])("parseBytes(%j)", (text, want) => {
    expect(parseBytes(text)).toBe(want);
  });

  it("reads docker stats JSON lines into memory per container", () => {
    const lines = [
      '{"Name":"olf1_mesh_1","MemUsage":"41.2MiB / 512MiB","CPUPerc":"0.10%"}',
      '{"Name":"olf1_agent-a_1","MemUsage":"60MiB / 512MiB"}',
      "",
    ].join("\n");
    const stats = parseStats(lines);
    expect(stats.get("olf1_mesh_1")).toBe(Math.round(41.2 * 1024 * 1024));
    expect(stats.get("olf1_agent-a_1")).toBe(60 * 1024 * 1024);
  });

  it("normalises project names the way both Compose dialects do", () => {
    expect(normalizeProjectName("My Fleet.v2")).toBe("myfleetv2");
    expect(normalizeProjectName("_tmp-fleet")).toBe("tmp-fleet");
    expect(normalizeProjectName("!!!")).toBe("");
  });
});
