/** What a request presents, as the transport found it; nothing here has been checked yet. */
export interface Credentials {
  /** The API key from `Authorization: Bearer` or `X-Api-Key`; null when absent or malformed. */
  readonly apiKey: string | null;
  /** The raw `X-Tenant-ID` header, when present. */
  readonly tenantHeader: string | null;
}

export const NO_CREDENTIALS: Credentials = { apiKey: null, tenantHeader: null };
