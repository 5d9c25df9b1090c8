import {
  buildSchema,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from "graphql";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { assertEveryOperationHasAccessRule } from "../../src/graphql/access-policy.check.js";
import { servedPossibleTypesJson } from "../../src/graphql/possible-types.js";
import { servedSchemaSdl } from "../../src/graphql/schema-sdl.js";
import { projectRoot } from "../../src/paths.js";

it("the committed schema.graphql is the schema the server serves (run `npm run schema:print` after a change)", () => {
  expect(readFileSync(join(projectRoot, "schema.graphql"), "utf8")).toBe(servedSchemaSdl());
});

it("the committed possible-types.json lists the served unions' and interfaces' members (`npm run schema:print`)", () => {
  expect(readFileSync(join(projectRoot, "possible-types.json"), "utf8")).toBe(servedPossibleTypesJson());
  const possibleTypes = JSON.parse(readFileSync(join(projectRoot, "possible-types.json"), "utf8"));
  expect(possibleTypes.UserError).toEqual(expect.arrayContaining(["PermissionDenied", "InvalidInput"]));
  expect(possibleTypes.ResendInvitationResult).toContain("ResendInvitationSuccess");
});

it("describes every type, field, argument and enum value (as the lint of schema.graphql demands)", () => {
  const schema = buildSchema(readFileSync(join(projectRoot, "schema.graphql"), "utf8"));
  const undescribed: string[] = [];
  const need = (name: string, description: string | null | undefined) => {
    if (!description?.trim()) undescribed.push(name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || ["String", "Int", "Boolean", "ID", "Float"].includes(type.name))
      continue;
    need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) need(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        need(`${type.name}.${field.name}`, field.description);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    }
  }
  expect(undescribed).toEqual([]);
});

it("says which format DateTimeISO follows with @specifiedBy", () => {
  const sdl = readFileSync(join(projectRoot, "schema.graphql"), "utf8");
  expect(sdl).toMatch(/^scalar DateTimeISO @specifiedBy\(url: "https:\/\/[^"]+rfc3339[^"]*"\)$/m);
  const scalar = buildSchema(sdl).getType("DateTimeISO");
  expect(scalar && "specifiedByURL" in scalar ? scalar.specifiedByURL : null).toMatch(/rfc3339/);
});

it("the committed schema is valid SDL with the contract's names", () => {
  const schema = buildSchema(readFileSync(join(projectRoot, "schema.graphql"), "utf8"));
  const union = schema.getType("ResendInvitationResult");
  const members = union && "getTypes" in union ? union.getTypes().map((t) => t.name) : [];
  // The contract's members; more may be added, none removed.
  const contract = [
    "ResendInvitationSuccess",
    "Unauthenticated",
    "PermissionDenied",
    "TenantMismatch",
    "InvitationNotFound",
    "UserNotFound",
    "InvalidInput",
    "UserHasNoEmail",
    "ServiceAccountNotInvitable",
    "UserAlreadyVerified",
    "InvitationNotPending",
    "ResendRateLimited",
  ];
  expect(contract.filter((name) => !members.includes(name))).toEqual([]);
});

it("refuses to serve an operation that has no access rule", () => {
  const withUndeclared = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: { viewer: { type: GraphQLString }, secrets: { type: GraphQLString } },
    }),
  });
  expect(() => assertEveryOperationHasAccessRule(withUndeclared)).toThrow(/secrets/);
});
