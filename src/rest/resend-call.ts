import { credentialsFromHeaders } from "../http/credentials.js";
import { errors } from "../invitations/errors.js";
import type { CallContext, InvitationService } from "../invitations/invitation.service.js";
import type { ResendInvitationInput, ResendInvitationResult } from "../invitations/results.js";
import type { RestRequest } from "./rest-operation.js";

/** Where a document names the tenant other than in a plain optional `X-Tenant-ID`. */
export interface TenantClaims {
  /** Replaces `X-Tenant-ID` as sent, where the document requires a particular form of it (001); null: none. */
  readonly header?: string | null;
  /** The tenant in the path (002), checked in addition to `X-Tenant-ID`. */
  readonly path?: string | null;
}

/** Who calls, from both credential headers, and every tenant the request names. */
export function callContext(request: RestRequest, tenant: TenantClaims = {}): CallContext {
  const credentials = credentialsFromHeaders(request.headers);
  const headerClaims =
    tenant.header === undefined ? credentials.tenantClaims : tenant.header === null ? [] : [tenant.header];
  const pathClaims = tenant.path == null ? [] : [tenant.path];
  return {
    credentials: { ...credentials, tenantClaims: [...headerClaims, ...pathClaims] },
    requestId: request.id,
  };
}

/**
 * The one service call of a REST request. A request that broke its document's parameter schemas still goes
 * to the service, without a target: the checks that come before input shape (contract §5: authenticate,
 * tenant, permission) answer first, and the service's InvalidInput then carries the request's own errors.
 */
export async function resendForRequest(
  service: InvitationService,
  request: RestRequest,
  call: CallContext,
  input: ResendInvitationInput,
): Promise<ResendInvitationResult> {
  if (request.fieldErrors === null) {
    return service.resendInvitation(call, { ...input, idempotencyKey: idempotencyKeyOf(request) });
  }
  const result = await service.resendInvitation(call, {});
  return result.kind === "InvalidInput" ? errors.invalidInput(request.fieldErrors) : result;
}

/** `Idempotency-Key`, which every operation accepts; the service checks its form. */
function idempotencyKeyOf(request: RestRequest): string | null {
  const value = request.headers["idempotency-key"];
  return typeof value === "string" ? value : null;
}
