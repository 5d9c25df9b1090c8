-- Custom SQL migration (drizzle-kit generate --custom): wakes webhook workers of every instance at commit when a
-- webhook delivery becomes due (queued, or queued again for a retry). The payload is empty: a hint to re-read.
CREATE OR REPLACE FUNCTION "notify_webhook_deliveries"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('webhook_deliveries', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "webhook_deliveries_notify_inserted" AFTER INSERT ON "webhook_deliveries"
  FOR EACH ROW EXECUTE FUNCTION "notify_webhook_deliveries"();
--> statement-breakpoint
CREATE TRIGGER "webhook_deliveries_notify_requeued" AFTER UPDATE OF "status" ON "webhook_deliveries"
  FOR EACH ROW WHEN (NEW."status" = 'queued') EXECUTE FUNCTION "notify_webhook_deliveries"();
