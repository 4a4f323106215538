import type { BenchSection } from '../section.js';
import { exportSection } from './export.js';
import { launchSection } from './launch.js';
import { launchProfileSection } from './launch-profile.js';
import { rosterSyncSection } from './roster-sync.js';
import { examStartSection } from './exam-start.js';
import { slipsSection } from './slips.js';
import { importsSection } from './imports.js';
import { bulkSection } from './bulk.js';

/** Every section of BENCHMARKS.md, in report order. Add a section here to have `npm run bench` run it. */
export const SECTIONS: BenchSection[] = [
  launchSection,
  launchProfileSection,
  rosterSyncSection,
  examStartSection,
  exportSection,
  slipsSection,
  importsSection,
  bulkSection,
];
