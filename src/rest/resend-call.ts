import { credentialsFromHeaders } from "../http/credentials.js";
import { errors } from "../invitations/errors.js";
import type { CallContext, InvitationService } from "../invitations/invitation.service.js";
import type { ResendInvitationInput, ResendInvitationResult } from "../invitations/results.js";
import type { RestRequest } from "./rest-operation.js";

/**
 * Who calls, from both credential headers. `tenantClaim` replaces `X-Tenant-ID` where the document names
 * the tenant elsewhere (002's path) or requires a particular form of it (001).
 */
export function callContext(request: RestRequest, tenantClaim?: string | null): CallContext {
  const credentials = credentialsFromHeaders(request.headers);
  return {
    credentials: tenantClaim === undefined ? credentials : { ...credentials, tenantHeader: tenantClaim },
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
