import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child-process tests (CLI) build on `npm run build`, which `npm test` runs first.
    testTimeout: 20_000,
  },
});
