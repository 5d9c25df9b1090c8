import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import { expect } from "vitest";

/** The parts of the served OpenAPI document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  components: { securitySchemes: Record<string, Record<string, string>> };
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}
export interface OpenApiOperation {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, unknown>;
      content: { "application/json": { schema: object } };
    }
  >;
}

export async function fetchOpenApiDocument(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as OpenApiDocument;
}

/**
 * Checks a response body against the schema the served document gives for its path, method and status,
 * so the document and the server cannot drift apart unnoticed.
 */
export function responseValidator(document: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  formatsPlugin.default(ajv);
  ajv.addFormat("int64", { type: "number", validate: Number.isSafeInteger });
  const compiled = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown): void => {
    const where = `${method.toUpperCase()} ${path} ${status}`;
    const schema =
      document.paths[path]?.[method]?.responses[String(status)]?.content["application/json"].schema;
    expect(schema, `the document describes ${where}`).toBeDefined();
    let validate = compiled.get(where);
    if (!validate) {
      validate = ajv.compile(schema!);
      compiled.set(where, validate);
    }
    const valid = validate(body);
    expect(valid, `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  };
}
