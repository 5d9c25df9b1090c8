import { Field, InterfaceType } from "type-graphql";
import { ErrorCode } from "./enums.js";

@InterfaceType({ description: "An expected refusal, returned as data. Switch on `code` or on `__typename`." })
export abstract class UserError {
  @Field(() => ErrorCode)
  code!: ErrorCode;

  @Field(() => String)
  message!: string;
}
