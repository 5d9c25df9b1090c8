import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { queryRefusal } from "../query-errors.js";
import { AuditEventConnection } from "../types/connections.types.js";

@Resolver()
export class AuditEventResolver {
  @Query(() => AuditEventConnection, {
    description: "The tenant's audit trail, newest first. Admins only, under the default policies.",
  })
  async auditEvents(
    @Ctx() { service, call }: GraphQLContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("action", () => String, { nullable: true, description: "e.g. invitation.resend" })
    action?: string | null,
  ): Promise<AuditEventConnection> {
    const result = await service.listAuditEvents(call, { first, after, action });
    if (result.kind !== "AuditPage") throw queryRefusal(result);
    return AuditEventConnection.from(result.page);
  }
}
