/** Watchers files: the schema is shared with the mesh, so it lives in services/common. */
export {
  type WatcherConfig,
  type WatchersFile,
  watcherSchema,
  watchersFileSchema,
} from "../../../services/common/contracts/fleet/watchers.js";
