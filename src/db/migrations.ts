import { readFileSync } from "node:fs";
import { join } from "node:path";
import { migrationsFolders } from "../paths.js";
import type { Dialect } from "./statement.js";

const shipped: Partial<Record<Dialect, number>> = {};

/** How many migrations this release ships for the dialect (drizzle-kit's journal). */
export function shippedMigrationCount(dialect: Dialect): number {
  shipped[dialect] ??= (
    JSON.parse(readFileSync(join(migrationsFolders[dialect], "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    }
  ).entries.length;
  return shipped[dialect];
}
