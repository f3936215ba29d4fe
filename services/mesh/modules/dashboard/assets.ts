import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` puts the bundle (scripts/build-dashboard.mjs), next to the compiled module. */
export const defaultAssetsDir = (): string => fileURLToPath(new URL("./assets/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface Asset {
  type: string;
  body: Buffer;
}

/** The built bundle, read once at boot (a few hundred KiB at most); empty when it was never built. */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type && /^[A-Za-z0-9._-]+$/.test(name)) out.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return out;
}

/**
 * The dashboard's one HTML page: no inline script or style (the CSP forbids both), no server URL and
 * no token in it; the app reads everything through the operator API with the session cookie.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenLegion</title>
<link rel="stylesheet" href="/dashboard/assets/app.css">
<script type="module" src="/dashboard/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the dashboard…</p></div>
<noscript>The dashboard needs JavaScript.</noscript>
</body>
</html>
`;

/** Strict: only this origin's own scripts, styles, images and API; no framing, no inline anything. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};
