/** Workflow files: the schema is shared with the mesh, so it lives in services/common. */
export * from "../../../services/common/contracts/fleet/workflows.js";
