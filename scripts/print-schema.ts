// Writes the served schema to schema.graphql and its unions' and interfaces' members to possible-types.json
// (for Apollo Client's cache), both at the repository root (npm run schema:print).
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { servedPossibleTypesJson } from "../src/graphql/possible-types.js";
import { servedSchemaSdl } from "../src/graphql/schema-sdl.js";
import { projectRoot } from "../src/paths.js";

writeFileSync(join(projectRoot, "schema.graphql"), servedSchemaSdl());
writeFileSync(join(projectRoot, "possible-types.json"), servedPossibleTypesJson());
console.log("wrote schema.graphql and possible-types.json");
