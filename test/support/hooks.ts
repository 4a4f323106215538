import { closeSharedChromium } from '../browser/support/chromium.js';
import { stopWorld } from './examgate-under-test.js';

/** Root hooks: the shared examgate and Chromium (if any test started them) stop once, after everything. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await Promise.all([stopWorld(), closeSharedChromium()]);
  },
};
