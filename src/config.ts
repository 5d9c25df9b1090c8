import { isIP } from "node:net";
import { parseDatabaseUrl, type DatabaseLocation } from "./db/database-url.js";
import type { InvitationSettings } from "./invitations/deps.js";
import { defaultPolicySet, loadPolicyFile, PolicySetError, type PolicySet } from "./policies/policy-set.js";
import { parseSecretKey } from "./webhooks/secret-box.js";

export interface Config {
  readonly host: string;
  readonly port: number;
  /** The SQLite file (absolute path, or `:memory:`) or the PostgreSQL URL. */
  readonly database: DatabaseLocation;
  /** PostgreSQL: connections per instance, and the longest a statement may run (0: no limit). */
  readonly databasePoolSize: number;
  readonly databaseStatementTimeoutSeconds: number;
  /** Demo data is only ever loaded when DATABASE_URL is unset. */
  readonly databaseUrlSet: boolean;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /** Base URL of links in emails, without a trailing slash. */
  readonly publicUrl: string;
  readonly invitationTtlHours: number;
  readonly resendCooldownSeconds: number;
  /** Abuse caps on invitation emails, on top of the per-invitation cooldown. */
  readonly maxEmailsPerTenantPerHour: number;
  readonly maxEmailsPerRecipientPerDay: number;
  readonly production: boolean;
  /** Serve the in-browser GraphQL IDE at GET /graphql: on by default, off in production unless GRAPHQL_IDE=on. */
  readonly graphqlIde: boolean;
  /** Answer introspection queries: on by default, off in production unless GRAPHQL_INTROSPECTION=on. */
  readonly graphqlIntrospection: boolean;
  readonly logLevel: string;
  /** Requests per minute per API key (per client address without one); 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Origins (scheme://host[:port]) allowed to call the API from a browser. */
  readonly corsOrigins: readonly string[];
  /** Serve Prometheus metrics at GET /metrics. */
  readonly metrics: boolean;
  /** How long SIGTERM may take to drain requests and the mail worker before the process exits anyway. */
  readonly shutdownTimeoutSeconds: number;
  /** How long a client may take to send a whole request (headers and body); then 408 and the connection closes. */
  readonly requestTimeoutSeconds: number;
  /** How long a client may take to send a request's headers; at most requestTimeoutSeconds. */
  readonly headersTimeoutSeconds: number;
  /** Share request rate limit counts through this Redis; null: each process counts its own. */
  readonly redisUrl: string | null;
  /** The authorization policies: POLICY_FILE's, else the shipped default; validated against the schema. */
  readonly policies: PolicySet;
  /** WEBHOOK_SECRET_KEY: seals endpoint signing secrets; null: no endpoint can be created, deliveries wait. */
  readonly webhookSecretKey: Buffer | null;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints may resolve to loopback, private and link-local addresses. */
  readonly webhookAllowPrivate: boolean;
}

/** A configuration problem; the message is one line that starts with the variable's name. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const NODE_ENVS = ["development", "production", "test"];
/** A DNS name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Reads and validates every environment variable the server uses. Throws ConfigError on the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  const host = text(env, "HOST") ?? "127.0.0.1";
  if (isIP(host) === 0 && !HOST_NAME.test(host)) fail("HOST", "must be an IP address or a host name", host);
  const port = integer(env, "PORT", 4000, 0, 65_535);
  const publicUrl = httpUrl(env, "PUBLIC_URL") ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const production = oneOf(env, "NODE_ENV", NODE_ENVS) === "production";
  const logLevel = oneOf(env, "LOG_LEVEL", LOG_LEVELS) ?? "info";
  const requestTimeoutSeconds = integer(env, "REQUEST_TIMEOUT_SECONDS", 30, 1, 3600);
  const headersTimeoutSeconds = integer(
    env,
    "HEADERS_TIMEOUT_SECONDS",
    Math.min(10, requestTimeoutSeconds),
    1,
    3600,
  );
  // Node refuses a headers timeout longer than the request's, which contains it.
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    fail(
      "HEADERS_TIMEOUT_SECONDS",
      `must be at most REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`,
      String(headersTimeoutSeconds),
    );
  }

  return {
    host,
    port,
    database: databaseLocation(env),
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", 10, 1, 1000),
    databaseStatementTimeoutSeconds: integer(env, "DATABASE_STATEMENT_TIMEOUT_SECONDS", 30, 0, 86_400),
    databaseUrlSet: text(env, "DATABASE_URL") !== undefined,
    smtpUrl: smtpUrl(env),
    mailFrom: mailFrom(env),
    publicUrl: publicUrl.replace(/\/+$/, ""),
    invitationTtlHours: number(env, "INVITATION_TTL_HOURS", 168, Number.MIN_VALUE, 24 * 366 * 10),
    resendCooldownSeconds: integer(env, "RESEND_COOLDOWN_SECONDS", 60, 0, 86_400 * 30),
    maxEmailsPerTenantPerHour: integer(env, "MAX_EMAILS_PER_TENANT_PER_HOUR", 500, 1, 1_000_000_000),
    maxEmailsPerRecipientPerDay: integer(env, "MAX_EMAILS_PER_RECIPIENT_PER_DAY", 10, 1, 1_000_000_000),
    production,
    graphqlIde: onOff(env, "GRAPHQL_IDE") ?? !production,
    // Not implied by the IDE: turning the IDE on must not publish the schema to every caller.
    graphqlIntrospection: onOff(env, "GRAPHQL_INTROSPECTION") ?? !production,
    logLevel,
    rateLimitPerMinute: integer(env, "RATE_LIMIT_PER_MINUTE", 600, 0, 1_000_000_000),
    shutdownTimeoutSeconds: integer(env, "SHUTDOWN_TIMEOUT_SECONDS", 10, 1, 3600),
    metrics: onOff(env, "METRICS") ?? true,
    corsOrigins: corsOrigins(env),
    requestTimeoutSeconds,
    headersTimeoutSeconds,
    redisUrl: redisUrl(env),
    policies: policies(env),
    webhookSecretKey: webhookSecretKey(env),
    webhookAllowPrivate: onOff(env, "WEBHOOK_ALLOW_PRIVATE") ?? false,
  };
}

function fail(name: string, requirement: string, value: string): never {
  throw new ConfigError(`${name}: ${requirement} (got ${JSON.stringify(value)})`);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value >= min && value <= max)) {
    fail(name, `must be a number greater than 0 and at most ${max}`, raw);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    fail(name, `must be an integer from ${min} to ${max}`, raw);
  return value;
}

function oneOf(env: Env, name: string, allowed: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw !== undefined && !allowed.includes(raw)) fail(name, `must be one of ${allowed.join(", ")}`, raw);
  return raw;
}

function onOff(env: Env, name: string): boolean | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  if (raw !== "on" && raw !== "off") fail(name, "must be on or off", raw);
  return raw === "on";
}

/** `https://app.example.com,http://localhost:5173`: exact origins, no paths, no wildcards. */
function corsOrigins(env: Env): readonly string[] {
  const raw = text(env, "CORS_ORIGINS");
  if (raw === undefined) return [];
  return raw.split(",").map((entry) => {
    const value = entry.trim().replace(/\/$/, "");
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== value) {
      fail("CORS_ORIGINS", "must be comma-separated origins such as https://app.example.com", entry.trim());
    }
    return value;
  });
}

function databaseLocation(env: Env): DatabaseLocation {
  try {
    return parseDatabaseUrl(text(env, "DATABASE_URL"));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    fail(name, "must be an absolute http(s) URL without query or fragment", raw);
  }
  return url.toString();
}

function smtpUrl(env: Env): string | null {
  const raw = text(env, "SMTP_URL");
  if (raw === undefined) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== "smtp:" && url.protocol !== "smtps:") || !url.hostname) {
    fail(
      "SMTP_URL",
      "must be an smtp:// or smtps:// URL with a host, e.g. smtp://user:pass@127.0.0.1:2525",
      redact(raw),
    );
  }
  return raw;
}

function redisUrl(env: Env): string | null {
  const raw = text(env, "REDIS_URL");
  if (raw === undefined) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname) {
    fail(
      "REDIS_URL",
      "must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379",
      redact(raw),
    );
  }
  return raw;
}

function mailFrom(env: Env): string {
  const raw = text(env, "MAIL_FROM") ?? "Invitations <no-reply@localhost>";
  const address = /<([^<>\s]+)>$/.exec(raw)?.[1] ?? raw;
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(address) || /[\r\n]/.test(raw)) {
    fail("MAIL_FROM", 'must be an address or "Name <address>"', raw);
  }
  return raw;
}

/** POLICY_FILE, read and validated now: a broken file stops start-up naming its file, line and problem. */
function policies(env: Env): PolicySet {
  const path = text(env, "POLICY_FILE");
  if (path === undefined) return defaultPolicySet();
  try {
    return loadPolicyFile(path);
  } catch (error) {
    if (error instanceof PolicySetError) throw new ConfigError(`POLICY_FILE: ${error.message}`);
    throw error;
  }
}

/** 32 bytes as 64 hex digits or base64. The value is a secret: never echoed back. */
function webhookSecretKey(env: Env): Buffer | null {
  const raw = text(env, "WEBHOOK_SECRET_KEY");
  if (raw === undefined) return null;
  const key = parseSecretKey(raw);
  if (key === null) {
    throw new ConfigError(
      "WEBHOOK_SECRET_KEY: must be 32 random bytes as 64 hex digits or base64, e.g. the output of `openssl rand -base64 32`",
    );
  }
  return key;
}

/** SMTP and Redis URLs may carry a password: never echo it back. */
function redact(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, "//***@");
}

/** What the HTTP server takes from the configuration. */
export interface HttpSettings {
  readonly production: boolean;
  /** Serve the GraphQL IDE to browsers at GET /graphql. */
  readonly ide: boolean;
  readonly introspection: boolean;
  /** Requests per minute per API key (per client address without a valid one); 0: unlimited. */
  readonly rateLimitPerMinute: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly redisUrl: string | null;
  /** Origins allowed to call the API from a browser (CORS); empty: none. */
  readonly corsOrigins: readonly string[];
}

export function httpSettingsOf(config: Config): HttpSettings {
  return {
    production: config.production,
    ide: config.graphqlIde,
    introspection: config.graphqlIntrospection,
    rateLimitPerMinute: config.rateLimitPerMinute,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    redisUrl: config.redisUrl,
    corsOrigins: config.corsOrigins,
  };
}

/** The service's settings, in the units it uses. */
export function invitationSettingsOf(config: Config): InvitationSettings {
  return {
    invitationTtlMs: config.invitationTtlHours * 3_600_000,
    resendCooldownMs: config.resendCooldownSeconds * 1000,
    publicUrl: config.publicUrl,
    emailCaps: {
      perTenantPerHour: config.maxEmailsPerTenantPerHour,
      perRecipientPerDay: config.maxEmailsPerRecipientPerDay,
    },
  };
}
