import { describe, expect, it } from "vitest";
import { type DoctorProbe, doctorFindings } from "../../../generator/lint/doctor.js";

const healthy: DoctorProbe = {
  engine: "27.3.1",
  composeV1: undefined,
  composeV2: "2.29.7",
  bridgeNfIptables: "1\n",
  subnetPool: "10.231.0.0/16",
  hostRoutes: ["192.168.1.0/24"],
  freeBytes: 50 * 1024 ** 3,
};
const status = (p: Partial<DoctorProbe>) =>
  Object.fromEntries(doctorFindings({ ...healthy, ...p }).map((f) => [f.check, f.status]));

describe("doctor", () => {
  it("is all ok on a healthy host", () => {
    expect(Object.values(status({})).every((s) => s === "ok")).toBe(true);
  });

  it.each([
    [{ engine: "20.10.24+dfsg1" }, "engine", "warning"],
    [{ engine: undefined }, "engine", "error"],
    [{ composeV2: undefined }, "compose", "error"],
    [{ bridgeNfIptables: "0\n" }, "bridge-nf-call-iptables", "warning"],
    [{ bridgeNfIptables: undefined }, "bridge-nf-call-iptables", "warning"],
    [{ hostRoutes: ["10.0.0.0/8"] }, "subnet-pool", "error"],
    [{ freeBytes: 1024 ** 3 }, "disk", "warning"],
    [{ freeBytes: 100 * 1024 ** 2 }, "disk", "error"],
  ] as [Partial<DoctorProbe>, string, string][])("%j → %s %s", (probe, check, expected) => {
    expect(status(probe)[check]).toBe(expected);
    const finding = doctorFindings({ ...healthy, ...probe }).find((f) => f.check === check)!;
    expect(finding.fix).toBeTruthy();
  });

  it("names CVE-2024-29018 for engines before 26", () => {
    const engine = doctorFindings({ ...healthy, engine: "25.0.3" }).find((f) => f.check === "engine")!;
    expect(engine.message).toContain("CVE-2024-29018");
  });
});
