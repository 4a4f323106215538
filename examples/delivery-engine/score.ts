import type { Score } from './report-client.js';

export type ScoreField = { ok: true; score: Score | undefined } | { ok: false; message: string };

/**
 * Reads the optional score fields of the Finish form: a blank score sends no score;
 * otherwise both numbers must make sense (0 ≤ given ≤ maximum, maximum > 0).
 */
export function readScore(fields: { score: string; maximum: string }): ScoreField {
  const given = fields.score.trim();
  if (given === '') {
    return { ok: true, score: undefined };
  }
  const maximumText = fields.maximum.trim();
  const score = { given: Number(given), maximum: Number(maximumText) };
  if (maximumText === '' || !Number.isFinite(score.given) || !Number.isFinite(score.maximum)) {
    return { ok: false, message: 'The score and its maximum must both be numbers.' };
  }
  if (score.maximum <= 0 || score.given < 0 || score.given > score.maximum) {
    return { ok: false, message: 'The score must be between 0 and the maximum, and the maximum above 0.' };
  }
  return { ok: true, score };
}
