import { QueryTypes } from 'sequelize';
import type { RosterMember } from '../../src/lms-sim/index.js';
import { ROLE_INSTRUCTOR, ROLE_LEARNER } from '../../src/lms-sim/index.js';
import type { TestWorld } from './examgate-under-test.js';

/** `count` learners u-<from>… with names and e-mails; override per member where a test needs to. */
export function buildLearners(count: number, from = 1): RosterMember[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      user_id: `u-${n}`,
      roles: [ROLE_LEARNER],
      status: 'Active',
      name: `Learner ${n}`,
      email: `learner${n}@example.edu`,
      lis_person_sourcedid: `sis-${n}`,
    };
  });
}

export const buildInstructor = (id: string): RosterMember => ({ user_id: id, roles: [ROLE_INSTRUCTOR], name: `Teacher ${id}` });

export interface JobRow {
  id: string;
  status: string;
  error: string | null;
  result: string | null;
}

/** Waits until no roster sync of the test is queued or running; returns the latest one. */
export async function settledSync(world: TestWorld, examId: string, timeoutMs = 60_000): Promise<JobRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await world.examgate.sequelize.query<JobRow>(
      `SELECT id, status, error, result FROM jobs WHERE kind = 'roster-sync' AND subject_id = :examId ORDER BY created_at DESC`,
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    const latest = jobs[0];
    if (latest && latest.status !== 'queued' && latest.status !== 'running') {
      return latest;
    }
    if (Date.now() > deadline) {
      throw new Error(`roster sync of ${examId} did not finish: ${JSON.stringify(latest)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CandidateRow {
  candidate_id: string;
  source: string;
  lms_user_id: string | null;
  name: string | null;
  status: string;
  withdrawn_reason: string | null;
  extra_time_minutes: number;
  room: string | null;
  updated_at: string | Date;
}

export async function candidatesOf(world: TestWorld, examId: string): Promise<CandidateRow[]> {
  return world.examgate.sequelize.query<CandidateRow>(
    `SELECT candidate_id, source, lms_user_id, name, status, withdrawn_reason, extra_time_minutes, room, updated_at
       FROM candidates WHERE exam_id = :examId ORDER BY candidate_id`,
    { replacements: { examId }, type: QueryTypes.SELECT },
  );
}
