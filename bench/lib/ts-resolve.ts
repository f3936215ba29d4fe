/**
 * `node --import ./bench/lib/ts-resolve.ts x.ts`: runs our TypeScript sources straight from the tree.
 * Node strips the types but does not map the `./x.js` specifiers of our sources to `./x.ts`; this hook
 * falls back to the `.ts` file when the `.js` one does not exist.
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const missing = error instanceof Error && "code" in error && error.code === "ERR_MODULE_NOT_FOUND";
      if (!missing || !specifier.startsWith(".") || !specifier.endsWith(".js")) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
