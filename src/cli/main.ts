import { readFileSync } from "node:fs";
import { describeLocation } from "../db/database-url.js";
import { bootstrapTenant, BootstrapInputError, checkBootstrapInput } from "../fixtures/bootstrap.js";
import { FixtureConflictError, loadFixture } from "../fixtures/load-fixture.js";
import { validateFixture, type FixtureError } from "../fixtures/validate-fixture.js";
import { apikey, APIKEY_USAGE } from "./apikey.js";
import {
  databaseLocationFromEnv,
  HelpRequested,
  parseFlags,
  ReportedFailure,
  requiredFlag,
  UsageError,
  withDatabase,
} from "./command-line.js";
import { policy, POLICY_USAGE } from "./policy.js";
import { webhook, WEBHOOK_USAGE } from "./webhook.js";

const USAGE = `Usage: npm run --silent cli -- COMMAND [FLAGS]

Commands:
  seed --file PATH                              apply migrations, then load a fixture in one transaction
  migrate                                       apply pending migrations
  bootstrap --tenant NAME --admin-email EMAIL   create a tenant, a human admin and an API key (shown once)
${APIKEY_USAGE}
${POLICY_USAGE}
${WEBHOOK_USAGE}

Environment:
  DATABASE_URL   SQLite file path or file: URL (default ./data/invitations.db),
                 or postgres://user:password@host:5432/database
  POLICY_FILE    the Cedar policy set policy explain uses (default: the shipped policies/default.cedar)
  WEBHOOK_SECRET_KEY, WEBHOOK_ALLOW_PRIVATE   as the server's, for webhook create and rotate

Results are printed to stdout as JSON; errors go to stderr.
Exit status: 0 success, 1 failure, 2 bad command line.`;

/** More than this many fixture errors would bury the first ones, which usually explain the rest. */
const MAX_REPORTED_ERRORS = 100;

type Command = (args: string[]) => Promise<unknown>;

const commands: Record<string, Command> = { seed, migrate, bootstrap, apikey, policy, webhook };

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    console.error(USAGE);
    return 2;
  }
  if (name === "--help" || name === "-h") {
    console.log(USAGE);
    return 0;
  }
  try {
    const command = commands[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const result = await command(args);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(USAGE);
      return 0;
    }
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\nRun with --help for usage.`);
      return 2;
    }
    if (error instanceof BootstrapInputError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    if (!(error instanceof ReportedFailure)) {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
}

async function seed(args: string[]) {
  const file = requiredFlag("seed", parseFlags("seed", args, ["file"]), "file");
  const location = databaseLocationFromEnv();
  // Validate before touching the database: an invalid fixture must not even create or migrate it.
  const validation = validateFixture(readJsonFile(file));
  if (!validation.ok) failWith(file, "is not a valid fixture", validation.errors);
  return withDatabase(location, async (database) => {
    const migrationsApplied = await database.migrate();
    try {
      const loaded = await loadFixture(database, validation.fixture, Date.now());
      return { ok: true, database: describeLocation(location), migrationsApplied, loaded };
    } catch (error) {
      if (error instanceof FixtureConflictError) failWith(file, "conflicts with the database", error.errors);
      throw error;
    }
  });
}

async function migrate(args: string[]) {
  parseFlags("migrate", args, []);
  const location = databaseLocationFromEnv();
  return withDatabase(location, async (database) => ({
    ok: true,
    database: describeLocation(location),
    migrationsApplied: await database.migrate(),
  }));
}

async function bootstrap(args: string[]) {
  const flags = parseFlags("bootstrap", args, ["tenant", "admin-email"]);
  const input = checkBootstrapInput({
    tenantName: requiredFlag("bootstrap", flags, "tenant"),
    adminEmail: requiredFlag("bootstrap", flags, "admin-email"),
  });
  return withDatabase(databaseLocationFromEnv(), async (database) => {
    await database.migrate();
    return bootstrapTenant(database, input, Date.now());
  });
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read fixture file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    // Some editors start UTF-8 files with a byte-order mark, which JSON.parse rejects.
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new Error(
      `fixture file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function failWith(file: string, problem: string, errors: FixtureError[]): never {
  for (const error of errors.slice(0, MAX_REPORTED_ERRORS)) console.error(`${error.path}: ${error.message}`);
  if (errors.length > MAX_REPORTED_ERRORS)
    console.error(`... and ${errors.length - MAX_REPORTED_ERRORS} more`);
  console.error(`error: ${file} ${problem} (${errors.length} error(s)); nothing was written`);
  throw new ReportedFailure();
}

process.exitCode = await main(process.argv.slice(2));
