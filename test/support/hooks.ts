import { stopWorld } from './examgate-under-test.js';

/** Root hooks: the shared examgate (if any test started it) stops once, after everything. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopWorld();
  },
};
