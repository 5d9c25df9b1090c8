import { GraphQLScalarType } from "graphql";
import { GraphQLDateTimeISO } from "graphql-scalars";

/**
 * graphql-scalars' DateTimeISO (what type-graphql calls GraphQLISODateTime), with the `@specifiedBy` URL it
 * lacks, so that clients and code generators can tell which format the strings follow.
 */
export const DateTimeISO = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  description:
    "An instant as an RFC 3339 date-time string in UTC with milliseconds, e.g. 2026-03-01T12:00:00.000Z.",
  specifiedByURL: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
});
