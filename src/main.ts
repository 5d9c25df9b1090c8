import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { DemoCredentials } from "./fixtures/demo.js";
import { createLogger } from "./http/logger.js";
import { startServer, type RunningServer } from "./server.js";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    exitWithConfigError(error);
  }
  const logger = createLogger(config.logLevel);
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    exitWithConfigError(error);
  }
  logger.info({ url: server.url }, "invitation API listening");
  if (server.demo) console.log(demoBanner(server, config.graphqlIde));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for the drain");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "draining and shutting down");
    // A request or an SMTP send that never ends must not keep the process from stopping.
    setTimeout(() => {
      logger.error({ timeoutSeconds: config.shutdownTimeoutSeconds }, "drain timed out; exiting");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000).unref();
    server.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
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
