import type { Connection } from "./connection.js";
import { ApiKeyRepository } from "./repositories/api-key.repository.js";
import { AuditListQueries, AuditRepository } from "./repositories/audit.repository.js";
import { InvitationListQueries, InvitationRepository } from "./repositories/invitation.repository.js";
import { IdempotencyRepository } from "./repositories/idempotency.repository.js";
import { OutboxRepository } from "./repositories/outbox.repository.js";
import { SendQuotaRepository } from "./repositories/send-quota.repository.js";
import { TenantRepository } from "./repositories/tenant.repository.js";
import { UserRepository } from "./repositories/user.repository.js";

/**
 * Every query the service may run, prepared once per connection. The service sees only this object,
 * so a second backend means a second Store, not a second service.
 */
export class Store {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly users: UserRepository;
  readonly invitations: InvitationRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly sendQuota: SendQuotaRepository;
  readonly idempotency: IdempotencyRepository;
  readonly invitationLists: InvitationListQueries;
  readonly auditLists: AuditListQueries;

  constructor(private readonly connection: Connection) {
    const { db } = connection;
    this.tenants = new TenantRepository(db);
    this.apiKeys = new ApiKeyRepository(db);
    this.users = new UserRepository(db);
    this.invitations = new InvitationRepository(db);
    this.outbox = new OutboxRepository(db);
    this.audit = new AuditRepository(db);
    this.sendQuota = new SendQuotaRepository(db);
    this.idempotency = new IdempotencyRepository(db);
    this.invitationLists = new InvitationListQueries(db);
    this.auditLists = new AuditListQueries(db);
  }

  /**
   * Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read,
   * so check-then-write sequences cannot interleave, even across processes. `work` must be synchronous.
   */
  transaction<T>(work: () => T): T {
    return this.connection.sqlite.transaction(work).immediate();
  }

  /** Cheap liveness probe for /readyz. */
  ping(): void {
    this.connection.sqlite.prepare("SELECT 1").get();
  }
}
