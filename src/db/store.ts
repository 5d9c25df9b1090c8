import type { Database, SqlSession } from "./database.js";
import { ApiKeyRepository, type ApiKeyOwner } from "./repositories/api-key.repository.js";
import { AuditListQueries, AuditRepository } from "./repositories/audit.repository.js";
import { IdempotencyRepository } from "./repositories/idempotency.repository.js";
import { InvitationListQueries } from "./repositories/invitation-list.queries.js";
import { InvitationRepository } from "./repositories/invitation.repository.js";
import { KeyOwnerCache } from "./repositories/key-owner-cache.js";
import { OutboxRepository } from "./repositories/outbox.repository.js";
import { SendQuotaRepository, type TenantTallies } from "./repositories/send-quota.repository.js";
import { TenantRepository } from "./repositories/tenant.repository.js";
import { UserRepository } from "./repositories/user.repository.js";
import { WebhookDeliveryRepository } from "./repositories/webhook-delivery.repository.js";
import { WebhookEndpointRepository } from "./repositories/webhook-endpoint.repository.js";

/** Every query the service may run, over one session: the database itself, or one transaction. */
export class Repositories {
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
  readonly webhookEndpoints: WebhookEndpointRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;

  constructor(session: SqlSession, tallies: TenantTallies) {
    this.tenants = new TenantRepository(session);
    this.apiKeys = new ApiKeyRepository(session);
    this.users = new UserRepository(session);
    this.invitations = new InvitationRepository(session);
    this.outbox = new OutboxRepository(session);
    this.audit = new AuditRepository(session);
    this.sendQuota = new SendQuotaRepository(session, tallies);
    this.idempotency = new IdempotencyRepository(session);
    this.invitationLists = new InvitationListQueries(session);
    this.auditLists = new AuditListQueries(session);
    this.webhookEndpoints = new WebhookEndpointRepository(session);
    this.webhookDeliveries = new WebhookDeliveryRepository(session);
  }
}

/**
 * The service's view of the data: repositories outside any transaction, `transaction()` for the ones inside,
 * and the cached key owners. The service never sees which dialect is behind it.
 */
export class Store extends Repositories {
  private readonly keyOwners: KeyOwnerCache;

  constructor(
    readonly database: Database,
    private readonly tallies: TenantTallies = new Map(),
  ) {
    super(database, tallies);
    this.keyOwners = new KeyOwnerCache(database);
  }

  /** Runs `work` in one transaction (see Database.transaction); it must use the repositories it is given. */
  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    try {
      return await this.database.transaction((session) => work(new Repositories(session, this.tallies)));
    } catch (error) {
      // Rolled back: what the send quota saw inside the transaction may never have been.
      this.tallies.clear();
      throw error;
    }
  }

  /** The active key with this hash and its owner, cached (see KeyOwnerCache). */
  findKeyOwner(keyHash: string): Promise<ApiKeyOwner | undefined> {
    return this.keyOwners.lookup(keyHash, () => this.apiKeys.findActiveByHash(keyHash));
  }

  /**
   * Whether a key with this hash was active when last looked at: the cache's memory, else one indexed lookup.
   * Good enough to decide whose budget a request counts against, never to authenticate.
   */
  async isKnownActiveKey(keyHash: string): Promise<boolean> {
    return this.keyOwners.holds(keyHash) || (await this.apiKeys.findActiveByHash(keyHash)) !== undefined;
  }

  /** Liveness probe for /readyz. */
  ping(): Promise<void> {
    return this.database.ping();
  }
}
