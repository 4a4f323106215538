import type { PhotoRepository, StoredPhoto } from './photo.repository.js';

/**
 * The candidate photos staff see where proctoring needs them. Every read takes the platform of
 * whoever asks (the admin's, or the launch's); the course wall is the caller's (the test and
 * candidate are found through the course first). Another platform's user has no photo here.
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

  async candidateHasPhoto(platformId: string, examId: string, candidateId: string): Promise<boolean> {
    const userId = await this.repository.userOfCandidate(examId, candidateId);
    return userId ? this.hasPhoto(platformId, userId) : false;
  }

  /** The photo of the permanent user behind a candidate of a test the caller may see (the course wall is checked before). */
  async ofCandidate(platformId: string, examId: string, candidateId: string): Promise<StoredPhoto | null> {
    const userId = await this.repository.userOfCandidate(examId, candidateId);
    return userId ? this.repository.ofUser(platformId, userId) : null;
  }
}
