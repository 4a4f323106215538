import type { CandidateAttempts } from '../candidates/candidate-attempts.js';
import type { ExamService } from '../exams/exam.service.js';
import { isPermanentError, type JobHandler } from '../jobs/job.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../platforms/platform.js';
import type { ScoreTarget } from '../lti/ags-client.js';

export type ScorePoster = (
  platform: Platform,
  target: ScoreTarget,
  userId: string,
  score: { given: number; maximum: number },
  at: Date,
) => Promise<void>;

/**
 * A job that posts a finished attempt's score to the LMS gradebook (AGS), when the
 * candidate came from an LMS whose launch offered the service. The outcome is kept on the
 * candidate (sent, failed, no_service) for the candidates page.
 */
export function gradePassbackJob(deps: {
  candidates: CandidateAttempts;
  exams: ExamService;
  platformById: (id: string) => Promise<Platform>;
  postScore: ScorePoster;
  log: Logger;
}): JobHandler {
  return async ({ job }) => {
    const candidate = job.subjectId ? await deps.candidates.findForSystem(job.subjectId) : null;
    const score = candidate?.attempt.score;
    if (!candidate || !score || !candidate.lmsUserId) {
      return { posted: false, reason: 'nothing to post' };
    }
    const found = await deps.exams.findForSystem(candidate.examId);
    const link =
      found && candidate.resourceLinkId ? await deps.exams.resourceLinkFor(found.course.platformId, candidate.resourceLinkId) : null;
    if (!found || !link || (!link.agsLineItemUrl && !link.agsLineItemsUrl)) {
      await deps.candidates.setGradeStatus(candidate.id, 'no_service');
      return { posted: false, reason: 'the LMS offered no gradebook service for this link' };
    }
    try {
      const platform = await deps.platformById(found.course.platformId);
      const target = {
        lineItemUrl: link.agsLineItemUrl,
        lineItemsUrl: link.agsLineItemsUrl,
        resourceLinkId: link.resourceLinkId,
        label: found.exam.title,
      };
      await deps.postScore(platform, target, candidate.lmsUserId, score, candidate.attempt.finishedAt ?? new Date());
    } catch (err) {
      // While tries are left the grade stays pending; the page shows the retry from the job.
      const lastTry = isPermanentError(err) || job.attempts >= job.maxAttempts;
      await deps.candidates.setGradeStatus(candidate.id, lastTry ? 'failed' : 'pending');
      throw err;
    }
    await deps.candidates.setGradeStatus(candidate.id, 'sent');
    deps.log.info({ candidate: candidate.id }, 'score posted to the LMS gradebook');
    return { posted: true };
  };
}
