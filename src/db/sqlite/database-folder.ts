import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** Folders the database lives in: only its owner may list them. */
const FOLDER_MODE = 0o700;

/**
 * Creates the folders above a database file one level at a time, failing with a message that starts with
 * `DATABASE_URL:`. (Node's recursive mkdirSync spins forever on some unusable paths, e.g. under /proc.)
 */
export function createDatabaseFolder(file: string): void {
  const missing: string[] = [];
  let folder = dirname(file);
  while (!existsSync(folder)) {
    missing.unshift(folder);
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const existing = missing.length === 0 ? dirname(file) : dirname(missing[0]!);
  if (!statSync(existing, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`DATABASE_URL: ${existing} is not a folder`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    for (const level of missing) mkdirSync(level, { mode: FOLDER_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`DATABASE_URL: cannot create the database in ${dirname(file)} (${code})`);
  }
}
