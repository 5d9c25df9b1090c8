// Bundles the compiled server and CLI (dist/src, from tsc) into one file each under dist/bundle, which
// `npm start` and `npm run cli` run: Node then loads one file instead of resolving and reading about a
// thousand modules, which was most of the start-up time. Runs as part of `npm run build` (and so `prepare`).
import { build } from "esbuild";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";

const compiled = join(projectRoot, "dist", "src");

await build({
  entryPoints: { main: join(compiled, "main.js"), cli: join(compiled, "cli", "main.js") },
  outdir: join(projectRoot, "dist", "bundle"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Native (better-sqlite3), WebAssembly read from its own folder (cedar-wasm), optional and absent (class-validator, which type-graphql imports only when
  // validation is on), or loading files of their own at run time (pino's transports): left to Node.
  external: ["better-sqlite3", "class-validator", "pino", "@cedar-policy/cedar-wasm"],
  // CommonJS dependencies call require() for Node's built-ins; an ES module has no require of its own.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
  },
  // Class names are GraphQL type names (type-graphql): keep every name as written.
  keepNames: true,
  sourcemap: true,
  logLevel: "warning",
});
