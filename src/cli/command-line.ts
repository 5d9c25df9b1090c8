import { parseArgs } from "node:util";
import type { Database } from "../db/database.js";
import { describeLocation, parseDatabaseUrl, type DatabaseLocation } from "../db/database-url.js";
import { openDatabase } from "../db/open-database.js";

/** The command line itself is wrong (exit 2), as opposed to a command that failed (exit 1). */
export class UsageError extends Error {}

/** The failure was already reported line by line on stderr (exit 1). */
export class ReportedFailure extends Error {}

/** `COMMAND --help`: print the usage instead of running. */
export class HelpRequested extends Error {}

/** Strict parsing of `--flag VALUE` options; `--help` prints the usage. Every flag is a string. */
export function parseFlags(command: string, args: string[], flags: string[]): Map<string, string> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(flags.map((flag) => [flag, { type: "string" as const }])),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // Node's messages name the flag, e.g. "Unknown option '--fiel'", "Option '--file <value>' argument missing".
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.help === true) throw new HelpRequested();
  return new Map(flags.flatMap((flag) => (typeof values[flag] === "string" ? [[flag, values[flag]]] : [])));
}

export function requiredFlag(command: string, flags: Map<string, string>, flag: string): string {
  const value = flags.get(flag);
  if (value === undefined || value.trim() === "") throw new UsageError(`${command}: --${flag} is required`);
  return value;
}

/** Where `DATABASE_URL` points; an unusable value is a usage problem of the environment, reported as such. */
export function databaseLocationFromEnv(): DatabaseLocation {
  return parseDatabaseUrl(process.env.DATABASE_URL);
}

export async function withDatabase<T>(
  location: DatabaseLocation,
  use: (database: Database) => Promise<T>,
): Promise<T> {
  let database: Database;
  try {
    database = openDatabase(location);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`DATABASE_URL: cannot open the database ${describeLocation(location)}: ${reason}`);
  }
  try {
    return await use(database);
  } catch (error) {
    if (isUnreachable(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`DATABASE_URL: cannot use the database ${describeLocation(location)}: ${reason}`);
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** Errors that say the database itself is out of reach (network, credentials, no such database). */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "28P01",
  "28000",
  "3D000",
]);

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE.has(code)) return true;
  // node-postgres reports a connection timeout with a plain message.
  return error instanceof Error && /timeout expired|Connection terminated/i.test(error.message);
}
