// The host rules are shared with the mesh (its Discord gateway relay checks the same allowlist shape).
export * from "../../common/host-rules.js";
