import { describe, expect, it } from "vitest";
import { complete, parseLine } from "../../../generator/repl/parse.js";

describe("parseLine", () => {
  it.each([
    ["", { kind: "empty" }],
    ["   ", { kind: "empty" }],
    ["hello there", { kind: "chat", agent: undefined, text: "hello there" }],
    ["@researcher find leads", { kind: "chat", agent: "researcher", text: "find leads" }],
    ["@researcher", { kind: "use", agent: "researcher" }],
    ["/use writer", { kind: "use", agent: "writer" }],
    ["/agents", { kind: "agents" }],
    ["/add", { kind: "add", name: undefined }],
    ["/add scout", { kind: "add", name: "scout" }],
    ["/status", { kind: "status" }],
    ["/broadcast stand-up in 5", { kind: "broadcast", text: "stand-up in 5" }],
    ["/costs", { kind: "costs" }],
    ["/reset", { kind: "reset", agent: undefined }],
    ["/reset writer", { kind: "reset", agent: "writer" }],
    ["/quit", { kind: "quit" }],
    ["/exit", { kind: "quit" }],
    ["/help", { kind: "help" }],
    ["/HELP", { kind: "help" }],
  ])("%j", (line, want) => {
    expect(parseLine(line)).toEqual(want);
  });

  it.each([
    ["@Bad-Name hi", /not an agent id/],
    ["/use", /usage: \/use <agent>/],
    ["/use ../x", /not an agent id/],
    ["/broadcast", /usage: \/broadcast/],
    ["/stauts", /unknown command \/stauts \(did you mean \/status\?\)/],
  ])("rejects %j with a precise message", (line, message) => {
    const cmd = parseLine(line);
    expect(cmd.kind).toBe("error");
    expect(cmd.kind === "error" ? cmd.message : "").toMatch(message);
  });

  it("keeps a multi-word message after @agent intact", () => {
    expect(parseLine("@a  two  spaces ")).toEqual({ kind: "chat", agent: "a", text: "two  spaces" });
  });

  it("refuses a line longer than the mesh accepts", () => {
    expect(parseLine("x".repeat(100_001)).kind).toBe("error");
  });
});

describe("complete", () => {
  const agents = ["researcher", "reviewer", "writer"];
  it("completes agent ids after @ and /use, and command names after /", () => {
    expect(complete("@re", agents)[0]).toEqual(["@researcher ", "@reviewer "]);
    expect(complete("/use w", agents)[0]).toEqual(["/use writer"]);
    expect(complete("/st", agents)[0]).toEqual(["/status"]);
    expect(complete("plain text", agents)[0]).toEqual([]);
  });
});
