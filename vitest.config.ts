import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster suite needs nats-server; it runs on its own (npm run test:cluster, vitest.cluster.config.ts).
    exclude: [...configDefaults.exclude, 'test/cluster-nats/**'],
    // Child-process tests (CLI) build on `npm run build`, which `npm test` runs first.
    testTimeout: 20_000,
  },
});
