import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ConfigError, httpSettingsOf, invitationSettingsOf } from "./config.js";
import { createContainer, type Container } from "./container.js";
import type { Database } from "./db/database.js";
import { describeLocation } from "./db/database-url.js";
import { openDatabase } from "./db/open-database.js";
import { findLoadedDemo, loadDemoIfEmpty, type DemoCredentials, type DemoTenant } from "./fixtures/demo.js";
import { buildApp } from "./http/app.js";
import { DeliveryWorker, type DeliveryWorkerOptions } from "./mail/delivery-worker.js";
import { createMailTransport } from "./mail/mail-transport.js";
import { randomUUID } from "node:crypto";
import { SecretBox } from "./webhooks/secret-box.js";
import { WebhookWorker, type WebhookWorkerOptions } from "./webhooks/webhook-worker.js";

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly container: Container;
  readonly database: Database;
  /** The address actually bound (PORT=0 picks a free port). */
  readonly url: string;
  /** Set when this start loaded the demo data: the one moment its admin key can be shown. */
  readonly demo: DemoCredentials | null;
  /** Set when an earlier start loaded the demo data (no key to show now): start-up says how to issue one. */
  readonly earlierDemo: DemoTenant | null;
  /** Delivers the email outbox in the background; tests may also drive it with `runOnce()`. */
  readonly delivery: DeliveryWorker;
  /** Delivers webhook events in the background. */
  readonly webhookDelivery: WebhookWorker;
  /** Stops accepting requests, lets in-flight ones and the email being sent finish, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly now?: () => number;
  readonly generateToken?: () => string;
  /** The demo admin's key; tests fix it (the IDE screenshot shows it). Default: a new random key. */
  readonly generateApiKey?: () => string;
  /** Delivery tuning (tests shorten the intervals) and the `.eml` folder used when SMTP_URL is unset. */
  readonly mail?: DeliveryWorkerOptions & { readonly mailDir?: string };
  /** Webhook delivery tuning (tests shorten intervals, timeouts and the disable delay). */
  readonly webhooks?: WebhookWorkerOptions;
}

/** Opens and migrates the database, wires the service, and listens. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const database = openConfiguredDatabase(config, logger);
  let migrationsApplied: number;
  try {
    migrationsApplied = await database.migrate();
  } catch (error) {
    await database.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`DATABASE_URL: cannot migrate ${describeLocation(config.database)}: ${reason}`);
  }
  if (migrationsApplied > 0) logger.info({ migrationsApplied }, "database migrated");
  const now = options.now ?? Date.now;
  const demo = config.databaseUrlSet ? null : await loadDemoIfEmpty(database, now(), options.generateApiKey);
  const earlierDemo = config.databaseUrlSet || demo ? null : await findLoadedDemo(database);

  const container = createContainer({
    database,
    now,
    generateToken: options.generateToken,
    settings: invitationSettingsOf(config),
    metrics: config.metrics,
    policies: config.policies,
    webhooks: {
      secrets: config.webhookSecretKey === null ? null : new SecretBox(config.webhookSecretKey),
      allowPrivate: config.webhookAllowPrivate,
      resolve: options.webhooks?.resolve,
    },
  });
  const app = await buildApp({ container, logger, ...httpSettingsOf(config) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await database.close();
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
      observe: container.metrics ? (outcome) => container.metrics?.delivered(outcome) : undefined,
    },
    options.mail,
  );
  delivery.start();
  const webhookDelivery = new WebhookWorker(
    {
      store: container.store,
      secrets: config.webhookSecretKey === null ? null : new SecretBox(config.webhookSecretKey),
      allowPrivate: config.webhookAllowPrivate,
      now,
      logger: logger.child({ component: "webhooks" }),
      generateUuid: randomUUID,
      observe: container.metrics ? (outcome) => container.metrics?.webhookDelivered(outcome) : undefined,
    },
    options.webhooks,
  );
  webhookDelivery.start();

  return {
    app,
    container,
    database,
    url: `http://${host}:${port}`,
    demo,
    earlierDemo,
    delivery,
    webhookDelivery,
    async close() {
      await app.close();
      // Requests drained first: one of them may have just queued an email or an event.
      await Promise.all([delivery.stop(), webhookDelivery.stop()]);
      // PostgreSQL: waits for the pool's connections to come back, then closes them.
      await database.close();
    },
  };
}

function openConfiguredDatabase(config: Config, logger: Logger): Database {
  try {
    return openDatabase(config.database, {
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutSeconds * 1000,
      onListenerError: (error) =>
        logger.warn(
          { err: error },
          "database change listener lost; reconnecting (caches are flushed on return)",
        ),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The reason of a SQLite failure already starts with DATABASE_URL when it is about the path.
    if (reason.startsWith("DATABASE_URL:")) throw new ConfigError(reason);
    throw new ConfigError(
      `DATABASE_URL: cannot open the database at ${describeLocation(config.database)}: ${reason}`,
    );
  }
}
