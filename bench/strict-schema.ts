import Database from "better-sqlite3";

/** Durability as the server's (WAL, no fsync per commit), nothing else. */
export const STRICT_PRAGMAS = ["journal_mode = WAL", "synchronous = NORMAL"] as const;

/**
 * The strict floor's own schema: the columns a resend reads or writes, and indexes only for what a correct
 * resend and its readers need: the key and token-hash lookups (unique), due-email claims, recipient caps and
 * the tenant's audit listing. No foreign keys, no AUTOINCREMENT (rowids), no superseded-email link.
 */
const STRICT_SCHEMA = `
CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE users (
  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, name TEXT NOT NULL, email TEXT, role TEXT NOT NULL,
  kind TEXT NOT NULL, email_verified_at INTEGER);
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, user_id INTEGER NOT NULL, key_hash TEXT NOT NULL UNIQUE,
  revoked_at INTEGER);
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, tenant_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
  status TEXT NOT NULL, token_hash TEXT UNIQUE, send_count INTEGER NOT NULL, last_sent_at INTEGER,
  expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE email_outbox (
  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, to_address TEXT NOT NULL, subject TEXT NOT NULL,
  text_body TEXT, html_body TEXT, status TEXT NOT NULL, next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_recipient ON email_outbox (tenant_id, to_address, created_at);
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY, tenant_id INTEGER, actor_user_id INTEGER, action TEXT NOT NULL, target_type TEXT,
  target_id TEXT, outcome TEXT NOT NULL, request_id TEXT, details TEXT, created_at INTEGER NOT NULL);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
`;

/** Columns copied from the project's seeded database, per table (the same names in both). */
const COPIED: Readonly<Record<string, string>> = {
  tenants: "id, name, status",
  users: "id, tenant_id, name, email, role, kind, email_verified_at",
  api_keys: "id, tenant_id, user_id, key_hash, revoked_at",
  invitations:
    "id, uuid, tenant_id, user_id, status, token_hash, send_count, last_sent_at, expires_at, updated_at",
  email_outbox:
    "id, tenant_id, to_address, subject, text_body, html_body, status, next_attempt_at, created_at",
  audit_events:
    "id, tenant_id, actor_user_id, action, target_type, target_id, outcome, request_id, details, created_at",
};

/** Builds `<file>.strict.db` with the strict schema and the seeded rows of `file`; returns its path. */
export function strictCopyOf(file: string): string {
  const strictFile = `${file}.strict.db`;
  const sqlite = new Database(strictFile);
  try {
    sqlite.exec(STRICT_SCHEMA);
    sqlite.prepare("ATTACH DATABASE ? AS seeded").run(file);
    sqlite.transaction(() => {
      for (const [table, columns] of Object.entries(COPIED)) {
        sqlite.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM seeded.${table}`);
      }
    })();
    sqlite.exec("DETACH DATABASE seeded");
    sqlite.exec("ANALYZE");
  } finally {
    sqlite.close();
  }
  return strictFile;
}
