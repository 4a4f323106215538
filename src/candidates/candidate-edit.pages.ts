import type { Response } from 'express';
import type { Exam } from '../exams/exam.js';
import { csrfOf, launchOf } from '../launch/session-context.middleware.js';
import type { Candidate } from './candidate.js';
import { presentCandidate } from './candidate.presenter.js';
import type { CandidateRouteDeps } from './candidates.pages.js';

export interface EditProblem {
  field: string;
  message: string;
}

/**
 * The edit page of one candidate, with a one-time user's username and password once the test
 * is active. A refused form comes back with what was sent, the error summary and each field's error.
 */
export async function renderCandidateEdit(
  deps: CandidateRouteDeps,
  res: Response,
  exam: Exam,
  candidate: Candidate,
  refused: { values: Record<string, string>; problems: EditProblem[] } | null = null,
) {
  const login = candidate.source === 'one-time' ? await deps.oneTimeUsers.credentialsOf(exam, candidate.id) : null;
  const problems = refused?.problems ?? [];
  const photo =
    candidate.source === 'permanent' && deps.photos
      ? ((await deps.photos.pathsOf(launchOf(res).platformId, exam.id, [candidate.id])).get(candidate.id) ?? null)
      : null;
  res.status(refused ? 400 : 200).render('candidate-edit.njk', {
    title: `Edit ${candidate.candidateId}`,
    exam,
    candidate: { ...presentCandidate(candidate), ...(refused?.values ?? {}) },
    photo,
    oneTime: candidate.source === 'one-time' ? { draft: exam.status === 'draft', login } : null,
    username: refused?.values.username ?? login?.username ?? '',
    errors: problems,
    error: problems.length > 0 ? { byField: Object.fromEntries(problems.map((p) => [p.field, p.message])) } : null,
    csrf: csrfOf(res, deps.secret),
  });
}
