import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { queryRefusal } from "../query-errors.js";
import { Delivery } from "../types/delivery.type.js";
import { Invitation } from "../types/invitation.type.js";

@Resolver(() => Invitation)
export class InvitationDeliveryResolver {
  /** Loaded only when asked for, so listings that do not select it pay nothing. */
  @FieldResolver(() => Delivery, { nullable: true, description: "The newest invitation email and its fate." })
  async lastDelivery(
    @Root() invitation: Invitation,
    @Ctx() { service, call }: GraphQLContext,
  ): Promise<Delivery | null> {
    const result = await service.lastDelivery(call, Number(invitation.id));
    if (result.kind !== "LastDelivery") throw queryRefusal(result);
    return result.delivery === null ? null : Delivery.from(result.delivery);
  }
}
