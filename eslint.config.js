import js from "@eslint/js";
import graphql from "@graphql-eslint/eslint-plugin";
import tseslint from "typescript-eslint";

const CODE = ["**/*.{js,mjs,cjs,ts,mts,cts}"];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "data/", "drizzle/", "test-output/"] },
  { files: CODE, extends: [js.configs.recommended, ...tseslint.configs.recommended] },
  {
    files: CODE,
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    files: ["src/cli/**", "src/main.ts", "scripts/**", "bench/**"],
    rules: { "no-console": "off" },
  },
  // The served schema as clients see it (npm run schema:print writes it): every type, field, argument and
  // enum value carries a description, which the IDE's Docs, introspection and generated client code show.
  {
    files: ["schema.graphql"],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: "schema.graphql" } },
    },
    plugins: { "@graphql-eslint": graphql },
    rules: {
      "@graphql-eslint/require-description": [
        "error",
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
    },
  },
);
