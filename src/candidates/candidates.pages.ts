import type { Request, Response } from 'express';
import type { OneTimeUsers } from '../access/one-time-user.service.js';
import { GRADE_PASSBACK_JOB } from '../access/attempt.service.js';
import type { SecretKeys } from '../config.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import { formatInZone } from '../exams/time-zone.js';
import type { JobRunner } from '../jobs/job.runner.js';
import { actorOf, csrfOf, launchOf } from '../launch/session-context.middleware.js';
import { choiceOf, type DelimiterDefault } from '../exports/csv-delimiter.js';
import { CANDIDATES_DONE, doneMessage } from '../web/done-message.js';
import { CANDIDATE_SOURCES, type Candidate, type CandidateStatus } from './candidate.js';
import type { CandidateInput } from './candidate-input.js';
import { presentCandidate, presentRoster } from './candidate.presenter.js';
import type { CandidateService } from './candidate.service.js';
import { presentLeftOut } from './left-out.presenter.js';
import type { RosterSchedule } from './roster-schedule.js';
import { presentImportListing } from '../imports/import.presenter.js';
import type { ImportService } from '../imports/import.service.js';
import type { ImportKind } from '../imports/import-kind.js';
import type { ExamTarget, OneTimeImportRow } from './one-time-import.js';
import { ROSTER_SYNC_JOB } from './roster-sync.service.js';
import type { SsoSetups } from '../platforms/sso-setup.service.js';
import type { SsoTarget } from './sso-candidates.service.js';
import type { SsoRow } from './sso-row.schema.js';
import { presentSsoSection } from './sso-section.presenter.js';
import type { CandidatePhotos } from '../permanent/photos/candidate-photos.service.js';

export interface CandidateRouteDeps {
  exams: ExamService;
  candidates: CandidateService;
  oneTimeUsers: OneTimeUsers;
  jobs: JobRunner;
  roster: RosterSchedule;
  secret: SecretKeys;
  /** The platform's default CSV separator (system settings): what the export form starts on. */
  settings: { forPlatform(platformId: string): Promise<{ csvDelimiter: DelimiterDefault }> };
  imports: ImportService;
  oneTimeImport: ImportKind<OneTimeImportRow, ExamTarget>;
  ssoSetups: SsoSetups;
  ssoImport: ImportKind<SsoRow, SsoTarget>;
  /** Candidate photos of permanent users (a bulk upload's ZIP), shown to this course's staff. */
  photos?: CandidatePhotos;
}

/** Which one-time form was refused, what it sent, and every problem (the page's error summary and inline errors). */
export interface OneTimeProblem {
  /** 'sso-import': the CSV import (SSO) upload form, which shares this error pattern. */
  form: 'one-time-add' | 'generate' | 'import' | 'sso-import';
  errors: Array<{ field: string; message: string }>;
  values: Record<string, string>;
}

export interface PageProblems {
  add?: { message: string; values: CandidateInput };
  leftOut?: { message: string; userId: string; inPlaceOf: string };
  oneTime?: OneTimeProblem;
}

const STATUSES: CandidateStatus[] = ['active', 'withdrawn'];

function pick<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/** Each field's own error; a file with many problems says so at the field, and the summary lists them. */
function byField(problem: OneTimeProblem): Record<string, string> {
  const fields = Object.fromEntries(problem.errors.map((e) => [e.field, e.message]));
  const inFile = problem.errors.filter((e) => e.field === 'file').length;
  if (inFile > 1) {
    fields.file = `The file has ${inFile} problems, listed above. Nothing was imported.`;
  }
  return fields;
}

/** The photo address of each permanent candidate of the page who has one, from one read (none when staff hid them). */
async function photosOf(
  deps: CandidateRouteDeps,
  platformId: string,
  exam: Exam,
  candidates: readonly Candidate[],
  shown: 'hide' | undefined,
): Promise<Map<string, string>> {
  const permanent = candidates.filter((c) => c.source === 'permanent').map((c) => c.id);
  if (!deps.photos || shown === 'hide' || permanent.length === 0) {
    return new Map();
  }
  return deps.photos.pathsOf(platformId, exam.id, permanent);
}

/** Renders the candidates page of a test (200, or 400 with the problems of a refused form). */
export function candidatesPage(deps: CandidateRouteDeps) {
  return async (req: Request, res: Response, exam: Exam, problems: PageProblems | null) => {
    const query = {
      search: typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '',
      source: pick(req.query.source, CANDIDATE_SOURCES),
      status: pick(req.query.status, STATUSES),
      page: Number(req.query.page) || 1,
      photos: req.query.photos === 'hide' ? ('hide' as const) : undefined,
    };
    const result = await deps.candidates.page(exam, query);
    const photos = await photosOf(deps, launchOf(res).platformId, exam, result.candidates, query.photos);
    const job = await deps.jobs.latest(ROSTER_SYNC_JOB, exam.id);
    const gradeJobs = await deps.jobs.latestOfEach(
      GRADE_PASSBACK_JOB,
      result.candidates.filter((c) => c.gradeStatus).map((c) => c.id),
    );
    // Empty while the test is a draft: the page then holds no username or password at all.
    const credentials = await deps.oneTimeUsers.credentialsFor(
      exam,
      result.candidates.filter((c) => c.source === 'one-time').map((c) => c.id),
    );
    const formatTime = (instant: Date) => formatInZone(instant, exam.window.timeZone);
    const leftOutSearch = typeof req.query.lq === 'string' ? req.query.lq.slice(0, 200) : '';
    const leftOut = presentLeftOut(await deps.candidates.leftOut(exam), leftOutSearch, result.counts.active < exam.maxCandidates);
    const oneTime = problems?.oneTime ?? null;
    const delimiter = choiceOf((await deps.settings.forPlatform(actorOf(launchOf(res)).platformId)).csvDelimiter);
    res.status(problems ? 400 : 200).render('candidates.njk', {
      title: `Candidates · ${exam.title}`,
      exam: { id: exam.id, title: exam.title, status: exam.status },
      query,
      ...result,
      room: Math.max(0, exam.maxCandidates - result.counts.active),
      candidates: result.candidates.map((c) => ({
        ...presentCandidate(c, gradeJobs.get(c.id) ?? null, formatTime),
        login: credentials.get(c.id) ?? null,
        photo: photos.get(c.id) ?? null,
      })),
      photos: {
        shown: photos.size > 0,
        // Offered where photos can be: on a test with permanent users.
        toggle: result.sources.includes('permanent'),
        hidden: query.photos === 'hide',
      },
      roster: presentRoster(exam.roster.syncedAt, exam.roster.summary, job, formatTime),
      problem: problems?.add ?? null,
      leftOut: { ...leftOut, problem: problems?.leftOut ?? null },
      oneTime: oneTime ? { ...oneTime, byField: byField(oneTime) } : null,
      errors: oneTime?.errors.map((e) => ({ ...e, field: `${oneTime.form}-${e.field}` })) ?? [],
      done: problems ? null : doneMessage(CANDIDATES_DONE, req.query),
      importLimits: { megabytes: Math.round(deps.imports.settings.maxBytes / 1024 / 102.4) / 10, rows: deps.imports.settings.maxRows },
      importReports: (await deps.imports.reportsOf(deps.oneTimeImport, { exam, platformId: '' }, 5)).map((r) =>
        presentImportListing(r, formatTime),
      ),
      sso: await presentSsoSection(deps, exam, launchOf(res).platformId, formatTime),
      csrf: csrfOf(res, deps.secret),
      exportDelimiter: delimiter,
    });
  };
}
