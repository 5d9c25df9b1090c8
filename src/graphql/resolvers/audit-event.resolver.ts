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
    @Arg("first", () => Int, { nullable: true, description: "Page size: 1 to 100, default 20." })
    first?: number | null,
    @Arg("after", () => String, {
      nullable: true,
      description: "A cursor from an earlier page (its endCursor): the page starts after it.",
    })
    after?: string | null,
    @Arg("action", () => String, {
      nullable: true,
      description: "Only events of this action, e.g. invitation.resend.",
    })
    action?: string | null,
  ): Promise<AuditEventConnection> {
    const result = await service.listAuditEvents(call, { first, after, action });
    if (result.kind !== "AuditPage") throw queryRefusal(result);
    return AuditEventConnection.from(result.page);
  }
}
