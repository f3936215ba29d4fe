export * from "./agents.js";
export * from "./common.js";
export * from "./env.js";
export * from "./fleet.js";
export * from "./mesh.js";
export * from "./permissions.js";
export * from "./watchers.js";
export * from "./workflows.js";
