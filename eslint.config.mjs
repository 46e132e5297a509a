// @ts-check
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

// Node's globals, for the few plain .js files (TypeScript itself checks names in .ts files).
const nodeGlobals = Object.fromEntries(
  [
    "Buffer",
    "URL",
    "__dirname",
    "__filename",
    "clearImmediate",
    "clearInterval",
    "clearTimeout",
    "console",
    "exports",
    "global",
    "module",
    "process",
    "queueMicrotask",
    "require",
    "setImmediate",
    "setInterval",
    "setTimeout",
    "structuredClone",
  ].map((name) => [name, "readonly"]),
);

export default defineConfig(
  {
    // Generated, installed or local-state folders: nothing in them is written by hand.
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "coverage/",
      "**/dist/",
      "data/",
      "deployments/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      // `_name` marks a deliberately unused parameter or binding (Hardhat subtasks, Express handlers).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Data flows one way (STYLE.md 9): scripts → service → verifier, and scripts → client → verifier. Nothing the service or the verifier
    // ships may reach into scripts/ or test/, and the verifier (a package of its own) never into the service.
    files: ["service/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/scripts/**", "**/scripts"], message: "service/ never imports scripts/ (data flows one way)" },
            { group: ["**/test/**", "**/test"], message: "service/ never imports test/" },
            {
              group: ["**/client/**", "**/client", "@repayproof/client"],
              message: "service/ never imports the client",
            },
            {
              group: ["**/verifier/src/**", "**/verifier/dist/**"],
              message: "import the verifier as a package: @repayproof/verifier",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["verifier/**/*.ts", "verifier/**/*.js"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/scripts/**", "**/scripts"], message: "the verifier never imports scripts/" },
            { group: ["**/test/**", "**/test"], message: "the verifier never imports test/" },
            { group: ["**/service/**", "**/service"], message: "the verifier never imports the service" },
            {
              group: ["**/client/**", "**/client", "@repayproof/client"],
              message: "the verifier never imports the client (the client sits on top of it)",
            },
          ],
        },
      ],
    },
  },
  {
    // The client package (@repayproof/client) is a layer of its own on top of the verifier: it imports the
    // verifier as a package and nothing else of ours; nothing it ships reaches the service, scripts or tests.
    files: ["client/**/*.ts", "client/**/*.js"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/scripts/**", "**/scripts"], message: "the client never imports scripts/" },
            { group: ["**/test/**", "**/test"], message: "the client never imports test/" },
            { group: ["**/service/**", "**/service"], message: "the client never imports the service" },
            {
              group: ["**/verifier/src/**", "**/verifier/dist/**", "../verifier", "../../verifier"],
              message: "import the verifier as a package: @repayproof/verifier",
            },
          ],
        },
      ],
    },
  },
  {
    // Small files, named after their main export (STYLE.md 3). A longer one says why in a header comment:
    // `/* eslint-disable max-lines -- <why> */`.
    files: ["service/**/*.ts", "verifier/src/**/*.ts", "client/src/**/*.ts", "scripts/**/*.ts", "scripts/**/*.js"],
    rules: { "max-lines": ["error", { max: 250 }] },
  },
  // Last: turns off every stylistic rule Prettier owns.
  prettier,
);
