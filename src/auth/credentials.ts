/** What a request presents, as the transport found it; nothing here has been checked yet. */
export interface Credentials {
  /** The API key from `Authorization: Bearer` or `X-Api-Key`; null when absent or malformed. */
  readonly apiKey: string | null;
  /** Every tenant `X-Tenant-ID` names, raw. Each must be the credential's tenant. */
  readonly tenantClaims: readonly string[];
  /**
   * The tenant a path names, raw, where a document has one (002's `{tenantId}`): checked as X-Tenant-ID is,
   * and kept apart so that a mismatch names what the request actually used.
   */
  readonly pathTenantClaim?: string;
}

export const NO_CREDENTIALS: Credentials = { apiKey: null, tenantClaims: [] };
