// Writes the served schema to schema.graphql at the repository root (npm run schema:print).
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { servedSchemaSdl } from "../src/graphql/schema-sdl.js";
import { projectRoot } from "../src/paths.js";

writeFileSync(join(projectRoot, "schema.graphql"), servedSchemaSdl());
console.log("wrote schema.graphql");
