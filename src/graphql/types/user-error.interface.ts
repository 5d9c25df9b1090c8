import { Field, InterfaceType } from "type-graphql";
import { ErrorCode } from "./enums.js";

@InterfaceType({ description: "An expected refusal, returned as data. Switch on `code` or on `__typename`." })
export abstract class UserError {
  @Field(() => ErrorCode, { description: "What went wrong, as a stable value to switch on." })
  code!: ErrorCode;

  @Field(() => String, {
    description: "What went wrong, in English, for a person to read; may change between releases.",
  })
  message!: string;
}
