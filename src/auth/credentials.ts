/** What a request presents, as the transport found it; nothing here has been checked yet. */
export interface Credentials {
  /** The API key from `Authorization: Bearer` or `X-Api-Key`; null when absent or malformed. */
  readonly apiKey: string | null;
  /**
   * Every tenant the request names, raw: `X-Tenant-ID`, and a path's tenant where a document has one.
   * Each must be the credential's tenant.
   */
  readonly tenantClaims: readonly string[];
}

export const NO_CREDENTIALS: Credentials = { apiKey: null, tenantClaims: [] };
