import { closeSharedChromium } from '../browser/support/chromium.js';
import { enableSharedConnectionCheck } from '../../src/db/transactions.js';
import { stopWorld } from './examgate-under-test.js';

// Every test runs with the check that a transaction's work sends nothing on the shared connection (db/transactions.ts).
enableSharedConnectionCheck();

/** Root hooks: the shared examgate and Chromium (if any test started them) stop once, after everything. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await Promise.all([stopWorld(), closeSharedChromium()]);
  },
};
