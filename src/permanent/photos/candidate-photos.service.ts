import type { PhotoRepository, StoredPhoto } from './photo.repository.js';

/** A candidate photo's address on staff pages: the photo's hash in it makes a new photo a new address. */
export const candidatePhotoPath = (examId: string, candidateId: string, sha256: string) =>
  `/app/exams/${examId}/candidates/${candidateId}/photo?v=${photoVersion(sha256)}`;

/** The part of a photo's sha256 its address carries (64 bits: enough to tell one user's photos apart). */
export const photoVersion = (sha256: string) => sha256.slice(0, 16);

/**
 * The candidate photos staff see where proctoring needs them. Every read takes the platform of
 * whoever asks (the admin's, or the launch's); the course wall is the caller's (the test is
 * found through the course first). Another platform's user has no photo here.
 */
export class CandidatePhotos {
  constructor(private readonly repository: PhotoRepository) {}

  /** A permanent user's photo on this platform; null when there is none (or the user is another platform's). */
  ofUser(platformId: string, userId: string): Promise<StoredPhoto | null> {
    return this.repository.ofUser(platformId, userId);
  }

  async hasPhoto(platformId: string, userId: string): Promise<boolean> {
    return (await this.repository.withPhoto(platformId, [userId])).has(userId);
  }

  /** The photo of the permanent user behind a candidate of a test the caller may see. */
  ofCandidate(platformId: string, examId: string, candidateId: string): Promise<StoredPhoto | null> {
    return this.repository.ofCandidate(platformId, examId, candidateId);
  }

  /** That photo's sha256 alone (its ETag), without its bytes. */
  shaOfCandidate(platformId: string, examId: string, candidateId: string): Promise<string | null> {
    return this.repository.shaOfCandidate(platformId, examId, candidateId);
  }

  /**
   * The photo address of each candidate who has one, by candidates.id, from one read: of the
   * candidates named (a page of the list), or of every candidate of the test (the print-outs).
   */
  async pathsOf(platformId: string, examId: string, candidateIds?: readonly string[]): Promise<Map<string, string>> {
    const shas = await this.repository.shasOfCandidates(platformId, examId, candidateIds);
    return new Map([...shas].map(([id, sha]) => [id, candidatePhotoPath(examId, id, sha)]));
  }
}
