CREATE TABLE `idempotency_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`key` text NOT NULL,
	`operation` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`response` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_tenant_key_uq` ON `idempotency_keys` (`tenant_id`,`key`);--> statement-breakpoint
CREATE INDEX `idempotency_keys_expiry_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE INDEX `email_outbox_tenant_created_idx` ON `email_outbox` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `email_outbox_tenant_recipient_idx` ON `email_outbox` (`tenant_id`,`to_address`,`created_at`);