import { cidrsOverlap, parseIpv4Cidr } from "../../services/common/ipv4-cidr.js";

/** What `doctor` measured on the host; gathered by the command, judged here (pure). */
export interface DoctorProbe {
  /** Docker engine version, or undefined when the engine is not reachable. */
  engine: string | undefined;
  composeV1: string | undefined;
  composeV2: string | undefined;
  /** Content of /proc/sys/net/bridge/bridge-nf-call-iptables, undefined when absent. */
  bridgeNfIptables: string | undefined;
  subnetPool: string;
  hostRoutes: string[];
  /** Free bytes on the fleet directory's filesystem. */
  freeBytes: number | undefined;
}

export interface DoctorFinding {
  check: string;
  status: "ok" | "warning" | "error";
  message: string;
  fix?: string;
}

const GIB = 1024 ** 3;
export const MIN_SAFE_ENGINE = 26;

function engineMajor(version: string): number | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

export function doctorFindings(p: DoctorProbe): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  if (p.engine === undefined) {
    out.push({
      check: "engine",
      status: "error",
      message: "Docker engine not reachable (docker version failed)",
      fix: "install Docker and start it (e.g. `systemctl start docker`), and make sure your user may use it",
    });
  } else {
    const major = engineMajor(p.engine);
    if (major === undefined || major < MIN_SAFE_ENGINE) {
      out.push({
        check: "engine",
        status: "warning",
        message: `Docker engine ${p.engine} is older than ${MIN_SAFE_ENGINE}: containers on internal networks can exfiltrate data through DNS (CVE-2024-29018)`,
        fix: "upgrade to Docker Engine 26 or newer (or 25.0.4 / 23.0.11 backports); until then keep the host resolver off loopback",
      });
    } else {
      out.push({ check: "engine", status: "ok", message: `Docker engine ${p.engine}` });
    }
  }
  if (p.composeV1 === undefined && p.composeV2 === undefined) {
    out.push({
      check: "compose",
      status: "error",
      message: "neither `docker compose` (v2) nor `docker-compose` (v1) found",
      fix: "install the Compose plugin (docker-compose-plugin) or docker-compose 1.29",
    });
  } else {
    const found = [
      p.composeV2 && `docker compose ${p.composeV2}`,
      p.composeV1 && `docker-compose ${p.composeV1}`,
    ]
      .filter(Boolean)
      .join(", ");
    out.push({ check: "compose", status: "ok", message: found });
  }
  if (p.bridgeNfIptables?.trim() !== "1") {
    out.push({
      check: "bridge-nf-call-iptables",
      status: "warning",
      message:
        p.bridgeNfIptables === undefined
          ? "br_netfilter is not loaded: bridged traffic skips Docker's isolation rules"
          : "net.bridge.bridge-nf-call-iptables is 0: bridged traffic skips Docker's isolation rules",
      fix: "modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1 (persist in /etc/modules-load.d and /etc/sysctl.d)",
    });
  } else {
    out.push({
      check: "bridge-nf-call-iptables",
      status: "ok",
      message: "net.bridge.bridge-nf-call-iptables = 1",
    });
  }
  const pool = parseIpv4Cidr(p.subnetPool);
  const hits = pool
    ? p.hostRoutes.filter((r) => {
        const route = parseIpv4Cidr(r);
        return route !== undefined && route.prefix > 0 && cidrsOverlap(route, pool);
      })
    : [];
  if (hits.length > 0) {
    out.push({
      check: "subnet-pool",
      status: "error",
      message: `subnet pool ${p.subnetPool} overlaps host route(s) ${hits.join(", ")}`,
      fix: "set egress.subnet_pool in config/mesh.yaml to a range no route uses, then openlegion render",
    });
  } else {
    out.push({
      check: "subnet-pool",
      status: "ok",
      message: `subnet pool ${p.subnetPool} is free of host routes`,
    });
  }
  if (p.freeBytes !== undefined) {
    const gib = (p.freeBytes / GIB).toFixed(1);
    const status = p.freeBytes < GIB / 2 ? "error" : p.freeBytes < 2 * GIB ? "warning" : "ok";
    out.push({
      check: "disk",
      status,
      message: `${gib} GiB free`,
      ...(status === "ok" ? {} : { fix: "free disk space (docker system prune, old images and volumes)" }),
    });
  }
  return out;
}
