import type { Migration } from '../migrator.js';
import { platformsAndSessions } from './0001-platforms-and-sessions.js';
import { examsAndCandidates } from './0002-exams-and-candidates.js';
import { jobRetries } from './0005-job-retries.js';

/** Applied in this order; never edit one that has shipped, add the next instead. */
export const migrations: Migration[] = [platformsAndSessions, examsAndCandidates, jobRetries];
