import { defineConfig } from 'vitest/config';

// The cluster suite (npm run test:cluster): real nats-server processes on loopback (apt-get install nats-server),
// started by test/helpers/nats-servers.ts. Kept out of `npm test`, which must not need nats-server.
export default defineConfig({
  test: {
    include: ['test/cluster-nats/**/*.test.ts'],
    // Servers take seconds to start and route; files run one at a time so clusters do not compete for CPU.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
