import type Database from "better-sqlite3";
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
 * Commits after which a connection is a busy server's, whose checkpoints are better made in the background;
 * the CLI and short-lived connections (most tests) never get there, and never start a thread.
 */
const BUSY_AFTER_TRANSACTIONS = 1000;

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
  private transactions = 0;
  /** better-sqlite3's transaction wrapper, built once: building it costs more than a short transaction. */
  private readonly inTransaction: Database.Transaction<(work: () => unknown) => unknown>;

  constructor(private readonly connection: Connection) {
    const { db } = connection;
    this.inTransaction = connection.sqlite.transaction((work: () => unknown) => work());
    this.tenants = new TenantRepository(db);
    this.apiKeys = new ApiKeyRepository(connection);
    this.users = new UserRepository(db, () => this.apiKeys.usersChanged());
    this.invitations = new InvitationRepository(db);
    this.outbox = new OutboxRepository(db);
    this.audit = new AuditRepository(db);
    this.sendQuota = new SendQuotaRepository(connection.sqlite);
    this.idempotency = new IdempotencyRepository(db);
    this.invitationLists = new InvitationListQueries(db);
    this.auditLists = new AuditListQueries(db);
  }

  /**
   * Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read,
   * so check-then-write sequences cannot interleave, even across processes. `work` must be synchronous.
   */
  transaction<T>(work: () => T): T {
    if (++this.transactions === BUSY_AFTER_TRANSACTIONS) this.connection.checkpointInBackground();
    try {
      return this.inTransaction.immediate(work) as T;
    } catch (error) {
      // Rolled back: what the send quota saw inside the transaction may never have been.
      this.sendQuota.forgetTallies();
      throw error;
    }
  }

  /** Cheap liveness probe for /readyz. */
  ping(): void {
    this.connection.sqlite.prepare("SELECT 1").get();
  }
}
