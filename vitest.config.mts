import { configDefaults, defineConfig } from 'vitest/config';

/** The CI soak run measures memory growth: it runs alone, after every other file, so their load does not read as its trend. */
const SOAK = 'test/soak/soak.test.ts';

export default defineConfig({
  test: {
    // Child-process tests (agent, CLI) start real Node processes; give them room on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, SOAK], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'soak', include: [SOAK], sequence: { groupOrder: 1 } } },
    ],
  },
});
