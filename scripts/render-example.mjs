// Regenerates the committed rendering of the example fleet: `npm run render:example`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderExample } from "../dist/generator/render/example.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const result = await renderExample(root, { check: false, toolVersion: version });
console.log(
  `rendered the example fleet: docker-compose.yml and ${result.model.files.size} files under compose/`,
);
