import { parseArgs } from "node:util";
import { openDatabase, type Connection } from "../db/connection.js";

/** The command line itself is wrong (exit 2), as opposed to a command that failed (exit 1). */
export class UsageError extends Error {}

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

export function withDatabase<T>(file: string, use: (connection: Connection) => T): T {
  let connection: Connection;
  try {
    connection = openDatabase(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`DATABASE_URL: cannot open the SQLite database ${file}: ${reason}`);
  }
  try {
    return use(connection);
  } finally {
    connection.close();
  }
}
