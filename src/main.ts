import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { DemoCredentials } from "./fixtures/demo.js";
import { stdoutLogDestination } from "./http/log-destination.js";
import { createLogger } from "./http/logger.js";
import { startServer, type RunningServer } from "./server.js";
import { drainOnSignals } from "./shutdown.js";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    exitWithConfigError(error);
  }
  const logs = stdoutLogDestination();
  const logger = createLogger(config.logLevel, logs.stream);
  // The demo banner goes through process.stdout: a reader that went away (`npm start | head`) is no crash.
  process.stdout.on("error", () => {});
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    exitWithConfigError(error);
  }
  logger.info({ url: server.url }, "invitation API listening");
  if (server.demo) console.log(demoBanner(server, config.graphqlIde));
  drainOnSignals({ server, logger, logs, timeoutSeconds: config.shutdownTimeoutSeconds });
}

function exitWithConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

function demoBanner({ url, demo }: RunningServer, ide: boolean): string {
  if (!demo) return "";
  const key = demo.apiKey;
  const mutation = `mutation { resendInvitation(input: { invitationId: \\"${demo.sampleInvitationId}\\" }) { __typename ... on ResendInvitationSuccess { sentTo invitation { id status expiresAt sendCount } } ... on UserError { code message } } }`;
  return [
    "",
    `Demo data loaded for tenant "${demo.tenant.name}" (id ${demo.tenant.id}).`,
    `Admin API key (shown once, stored only as a hash): ${key}`,
    "",
    "Resend an invitation with GraphQL:",
    `curl -s ${url}/graphql -H 'Content-Type: application/json' -H 'Authorization: Bearer ${key}' \\`,
    `  -d '{"query":"${mutation}"}'`,
    "",
    "Or through a REST compatibility path:",
    `curl -s -X PUT '${url}/tenant/${demo.tenant.id}/admin/user/invitation/resend?id=${demo.sampleInvitationId}' -H 'X-Api-Key: ${key}'`,
    "",
    ...(ide ? ideBannerLines(url, demo) : []),
  ].join("\n");
}

/** Where the GraphQL IDE is, and what to paste into its Headers and Variables editors. */
function ideBannerLines(url: string, demo: DemoCredentials): string[] {
  return [
    `Or open the GraphQL IDE in a browser: ${url}/graphql`,
    `  Headers:   ${JSON.stringify({ Authorization: `Bearer ${demo.apiKey}` })}`,
    `  Variables: ${JSON.stringify({ invitationId: String(demo.sampleInvitationId) })} (ResendByInvitationId tab)`,
    `         or ${JSON.stringify({ userId: demo.sampleUserUuid })} (ResendByUserId tab)`,
    "",
  ];
}

void main();
