import { describe, expect, it } from "vitest";
import { checkNameLengths } from "../../../generator/docker/swarm/stack.js";
import {
  converged,
  formatRows,
  parseNodes,
  parseTasks,
  serviceOfTask,
  serviceRows,
} from "../../../generator/docker/swarm/tasks.js";

const task = (name: string, node: string, desired: string, current: string, error = "") =>
  JSON.stringify({
    ID: name,
    Name: name,
    Node: node,
    DesiredState: desired,
    CurrentState: current,
    Error: error,
  });
const node = (host: string, status = "Ready") =>
  JSON.stringify({ ID: host, Hostname: host, Status: status, Availability: "Active", ManagerStatus: "" });

describe("swarm tasks", () => {
  it("maps task names to services, also for agent ids with dots-free dashes", () => {
    expect(serviceOfTask("fleet", "fleet_agent-re-search.1")).toBe("agent-re-search");
    expect(serviceOfTask("fleet", "other_mesh.1")).toBeUndefined();
  });

  it("reports the node of the task Swarm wants running, not the old shut-down one", () => {
    const tasks = parseTasks(
      [
        task("s_agent-a.1", "worker-1", "Running", "Running 2 minutes ago"),
        task("s_agent-a.1", "worker-2", "Shutdown", "Shutdown 3 minutes ago"),
        task("s_mesh.1", "manager", "Running", "Starting 3 seconds ago"),
        "not json",
      ].join("\n"),
    );
    const rows = serviceRows("s", ["agent-a", "mesh", "agent-b"], tasks, parseNodes(node("worker-1")));
    expect(rows).toEqual([
      { service: "agent-a", node: "worker-1", state: "running", nodeDown: false, error: "" },
      { service: "mesh", node: "manager", state: "starting", nodeDown: false, error: "" },
      { service: "agent-b", node: "-", state: "missing", nodeDown: false, error: "" },
    ]);
    expect(converged(rows)).toBe(false);
    expect(formatRows(rows)).toContain("agent-b  -");
  });

  it("is not converged while a task sits on a node that is down, and says so", () => {
    const rows = serviceRows(
      "s",
      ["agent-a"],
      parseTasks(task("s_agent-a.1", "worker-2", "Running", "Running 5 minutes ago")),
      parseNodes(node("worker-2", "Down")),
    );
    expect(rows[0]?.nodeDown).toBe(true);
    expect(converged(rows)).toBe(false);
    expect(formatRows(rows)).toContain("(node down)");
  });

  it("refuses a stack name that makes a secret name longer than Swarm's 64 characters", () => {
    expect(() => checkNameLengths("short", ["agent_token_a-0123456789"])).not.toThrow();
    expect(() => checkNameLengths("x".repeat(30), [`agent_token_${"a".repeat(28)}-0123456789`])).toThrow(
      expect.objectContaining({ code: "OL_ERR_FLEET_SWARM_NAME_TOO_LONG" }),
    );
  });
});
