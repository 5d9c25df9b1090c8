-- Custom SQL migration (drizzle-kit generate --custom): PostgreSQL-only wake-up signals, delivered at commit.
-- key_owners_changed: an API key, user or tenant changed; every instance drops its cached key owners.
-- email_outbox: an email became due for delivery (queued, or re-queued); delivery workers look for work.
-- Payloads are empty: a notification is a hint to re-read, never data (one sent while a listener is away is lost).
CREATE OR REPLACE FUNCTION "notify_key_owners_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('key_owners_changed', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "notify_email_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('email_outbox', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "api_keys_notify_key_owners_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_key_owners_changed"();
--> statement-breakpoint
CREATE TRIGGER "users_notify_key_owners_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_key_owners_changed"();
--> statement-breakpoint
CREATE TRIGGER "tenants_notify_key_owners_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tenants"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_key_owners_changed"();
--> statement-breakpoint
CREATE TRIGGER "email_outbox_notify_inserted" AFTER INSERT ON "email_outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_email_outbox"();
--> statement-breakpoint
CREATE TRIGGER "email_outbox_notify_requeued" AFTER UPDATE OF "status" ON "email_outbox"
  FOR EACH ROW WHEN (NEW."status" = 'queued') EXECUTE FUNCTION "notify_email_outbox"();
