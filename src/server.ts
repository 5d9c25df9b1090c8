import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ConfigError, httpSettingsOf, invitationSettingsOf } from "./config.js";
import { createContainer, type Container } from "./container.js";
import { applyMigrations, openDatabase, type Connection } from "./db/connection.js";
import { loadDemoIfEmpty, type DemoCredentials } from "./fixtures/demo.js";
import { buildApp } from "./http/app.js";
import { DeliveryWorker, type DeliveryWorkerOptions } from "./mail/delivery-worker.js";
import { createMailTransport } from "./mail/mail-transport.js";

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly container: Container;
  readonly connection: Connection;
  /** The address actually bound (PORT=0 picks a free port). */
  readonly url: string;
  /** Set when this start loaded the demo data: the one moment its admin key can be shown. */
  readonly demo: DemoCredentials | null;
  /** Delivers the email outbox in the background; tests may also drive it with `runOnce()`. */
  readonly delivery: DeliveryWorker;
  /** Stops accepting requests, lets in-flight ones and the email being sent finish, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly now?: () => number;
  readonly generateToken?: () => string;
  /** Delivery tuning (tests shorten the intervals) and the `.eml` folder used when SMTP_URL is unset. */
  readonly mail?: DeliveryWorkerOptions & { readonly mailDir?: string };
}

/** Opens and migrates the database, wires the service, and listens. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const connection = openConfiguredDatabase(config);
  const migrationsApplied = applyMigrations(connection);
  if (migrationsApplied > 0) logger.info({ migrationsApplied }, "database migrated");
  const now = options.now ?? Date.now;
  const demo = config.databaseUrlSet ? null : loadDemoIfEmpty(connection, now());

  const container = createContainer({
    connection,
    now,
    generateToken: options.generateToken,
    settings: invitationSettingsOf(config),
  });
  const app = await buildApp({ container, connection, logger, ...httpSettingsOf(config) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    connection.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new ConfigError(`PORT: ${config.port} is already in use on ${config.host}`);
    if (code === "EACCES") throw new ConfigError(`PORT: no permission to listen on port ${config.port}`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new ConfigError(`HOST: cannot listen on ${config.host}`);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  const delivery = new DeliveryWorker(
    {
      store: container.store,
      transport: createMailTransport({ smtpUrl: config.smtpUrl, mailDir: options.mail?.mailDir }),
      mailFrom: config.mailFrom,
      now,
      logger: logger.child({ component: "mail" }),
    },
    options.mail,
  );
  delivery.start();

  return {
    app,
    container,
    connection,
    url: `http://${host}:${port}`,
    demo,
    delivery,
    async close() {
      await app.close();
      // Requests drained first: one of them may have just queued an email.
      await delivery.stop();
      connection.close();
    },
  };
}

function openConfiguredDatabase(config: Config): Connection {
  try {
    return openDatabase(config.databaseFile);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`DATABASE_URL: cannot open the database at ${config.databaseFile}: ${reason}`);
  }
}
