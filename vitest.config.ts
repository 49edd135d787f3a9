import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the usual output, to print its own "N passed, N failed" line.
const jsonReport = process.env.SOURCIER_TEST_RESULTS;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
