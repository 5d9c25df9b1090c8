CREATE INDEX `audit_events_tenant_action_idx` ON `audit_events` (`tenant_id`,`action`,`id`);--> statement-breakpoint
CREATE INDEX `invitations_tenant_id_idx` ON `invitations` (`tenant_id`,`id`);