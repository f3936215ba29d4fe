import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chat, type Harness, messagesOf, runTask, startHarness, toolMessages } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("workspace files and learnings", () => {
  it("records a user correction and shows it in the prompt of the next session (after a restart)", async () => {
    h = await startHarness();
    h.fake.script("openai", { text: "Noted." });
    await chat(h, "Actually, the report is due on Friday, not Monday.");
    expect(await readFile(join(h.dataDir, "learnings/corrections.md"), "utf8")).toContain(
      "Actually, the report is due on Friday, not Monday.",
    );
    await h.restart();
    await post(h);
    const system = String(messagesOf(h.fake.requests.at(-1))[0]?.content);
    expect(system).toContain("Learnings: user corrections");
    expect(system).toContain("the report is due on Friday");
  });

  it("the model keeps USER.md current with update_workspace; the next prompt shows it", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      {
        toolCalls: [{ name: "update_workspace", args: { file: "USER.md", content: "# User\nName: Dana\n" } }],
      },
      { text: "saved" },
      { text: "hello Dana" },
    );
    await runTask(h, "remember the user is Dana");
    expect(toolMessages(h.fake.requests.at(-1))[0]).toBe("USER.md now has 18 bytes");
    await chat(h, "hi");
    expect(String(messagesOf(h.fake.requests.at(-1))[0]?.content)).toContain("Name: Dana");
  });
});

async function post(harness: Harness): Promise<void> {
  harness.fake.script("openai", { text: "ok" });
  await chat(harness, "what is due when?");
}
