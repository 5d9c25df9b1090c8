import { Ctx, Query, Resolver } from "type-graphql";
import { queryRefusal } from "../query-errors.js";
import type { GraphQLContext } from "../context.js";
import { User } from "../types/user.type.js";

@Resolver()
export class ViewerResolver {
  @Query(() => User, {
    nullable: true,
    description: "The user behind the credential; null without a valid one.",
  })
  async viewer(@Ctx() { service, call }: GraphQLContext): Promise<User | null> {
    const result = await service.viewer(call);
    switch (result.kind) {
      case "Viewer":
        return User.from(result.user);
      case "Unauthenticated":
        return null;
      case "TenantMismatch":
      case "PermissionDenied":
        throw queryRefusal(result);
      default: {
        const _exhaustive: never = result;
        throw new Error(`unhandled viewer ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
}
