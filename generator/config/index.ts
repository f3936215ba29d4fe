/** The fleet config loader's public surface (schemas live in ./schemas). */
export type { CrossCheckInput } from "./cross-check.js";
export {
  dottedPath,
  findPair,
  issueAt,
  locate,
  MAX_ALIAS_COUNT,
  type ParsedFile,
  parseYamlText,
  pathAtOffset,
  positionAt,
  YAML_PARSE_OPTIONS,
} from "./document.js";
export {
  ConfigError,
  ConfigErrors,
  type ConfigIssue,
  formatIssue,
  isConfigError,
  sortIssues,
} from "./errors.js";
export { parseJsonText } from "./files.js";
export { FLEET_FILES, type LoadFleetOptions, loadFleet } from "./load.js";
export { MAX_CONFIG_BYTES, readConfigText } from "./read.js";
export { yamlIssues, yamlToData } from "./yaml-file.js";
