import { defineConfig } from "vitest/config";

// Two projects: unit tests sit beside the code and need nothing running; e2e tests start real
// kube-apiservers (hub and members) and our server, so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{api,lib,apiserver,cli,controllers,kube,storage,openapi,resources,members,leader,testing}/**/*.test.ts", "*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
