import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { startupBanner } from "./demo-banner.js";
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
  const banner = startupBanner(server, config.graphqlIde);
  if (banner) console.log(banner);
  drainOnSignals({ server, logger, logs, timeoutSeconds: config.shutdownTimeoutSeconds });
}

function exitWithConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

void main();
