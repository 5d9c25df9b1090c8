import { credentialsFromHeaders } from "../http/credentials.js";
import { errors } from "../invitations/errors.js";
import type { CallContext, InvitationService } from "../invitations/invitation.service.js";
import type { ResendInvitationInput, ResendInvitationResult } from "../invitations/results.js";
import type { RestRequest } from "./rest-operation.js";

/** How a document names the tenant beyond contract §3's optional `X-Tenant-ID`. */
export interface TenantClaims {
  /** X-Tenant-ID counts only in the document's form (001: a uuid); other values get its schema's 400. */
  readonly headerAccepted?: (value: string) => boolean;
  /** The tenant in the path (002), checked as well as X-Tenant-ID. */
  readonly path?: string;
}

/** Who calls, from both credential headers, and every tenant the request names. */
export function callContext(request: RestRequest, tenant: TenantClaims = {}): CallContext {
  const credentials = credentialsFromHeaders(request.headers);
  const { headerAccepted = () => true, path } = tenant;
  const tenantClaims = credentials.tenantClaims.filter((claim) => headerAccepted(claim));
  return {
    credentials: { ...credentials, tenantClaims, ...(path !== undefined && { pathTenantClaim: path }) },
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
