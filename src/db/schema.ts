// Scaffold for the `http` branch only: the base commit moved this file to schema/sqlite.ts without
// updating its importers. Drop this file when merging onto the lead's data-layer rewrite.
export * from "./schema/sqlite.js";
