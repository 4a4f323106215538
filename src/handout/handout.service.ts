import type { AuditBy } from '../audit/audit.js';
import type { OneTimeUsers } from '../access/one-time-user.service.js';
import type { ExamScope } from '../access/way-in-audit.js';
import type { WaysIn } from '../access/ways-in.service.js';
import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import { ExamStateError } from '../exams/exam.errors.js';
import type { SystemSettings } from '../settings/settings.service.js';
import type { SlipContents } from '../settings/settings.js';
import { HandoutNotReadyError } from './handout.errors.js';
import { groupByRoom, type RoomGroup, type Seated } from './room-order.js';

/** Which candidates a print-out is for: one room (building and/or room name), or one candidate (candidates.id). */
export interface HandoutFilter {
  building?: string;
  room?: string;
  candidate?: string;
}

/** Everything one candidate's login slip shows, and nothing of anyone else. */
export interface Slip {
  id: string;
  candidateId: string;
  building: string | null;
  room: string | null;
  extraTimeMinutes: number;
  /** One-time users only. */
  username: string | null;
  password: string | null;
  code: string | null;
  link: string | null;
}

/** One line of the invigilator sheet. */
export interface SheetLine {
  id: string;
  candidateId: string;
  name: string | null;
  building: string | null;
  room: string | null;
  extraTimeMinutes: number;
}

const SHOW_ALL: SlipContents = { password: true, entryCode: true, link: true };

/** A new password (one-time users), entry code or direct link for one candidate. */
export const REGENERATE = ['password', 'code', 'link'] as const;
export type Regenerate = (typeof REGENERATE)[number];

/** A print-out's candidates by room, and every room of the test (for the room filter; none for one candidate's slip). */
export interface Printout<T extends Seated> {
  groups: Array<RoomGroup<T>>;
  rooms: RoomCount[];
}

/** The rooms of a test (for the room filter), with how many active candidates each has. */
export interface RoomCount {
  building: string | null;
  room: string | null;
  count: number;
}

/**
 * What staff hand out before an exam: login slips, the invigilator sheet, and a fresh way in
 * for one candidate. Only for a test that is active or closed (a draft has no credentials);
 * callers pass a test the staff member may see (ExamService.get). Withdrawn candidates are on
 * neither print-out: they cannot sign in.
 */
export class Handout {
  constructor(
    private readonly candidates: CandidateService,
    private readonly oneTimeUsers: OneTimeUsers,
    private readonly waysIn: WaysIn,
    private readonly systemSettings: SystemSettings,
    private readonly settings: { publicUrl: string },
  ) {}

  /** Where a slip sends its reader: the login page (username and password) and the entry-code page. */
  addresses(): { login: string; enter: string } {
    return {
      login: new URL('/login', this.settings.publicUrl).href,
      enter: new URL('/enter', this.settings.publicUrl).href,
    };
  }

  /**
   * The printed slips: what the platform's system settings let a slip show (a hidden password
   * is never even opened). The staff's own page of one candidate (slipOf) shows everything.
   */
  async printedSlips(scope: ExamScope, filter: HandoutFilter, by: AuditBy): Promise<Printout<Slip>> {
    return this.slips(scope, filter, by, (await this.systemSettings.forPlatform(scope.platformId)).slips);
  }

  /** The slips of the filter's candidates, grouped by room and sorted by building, room and candidate ID. */
  async slips(scope: ExamScope, filter: HandoutFilter, by: AuditBy, shown: SlipContents = SHOW_ALL): Promise<Printout<Slip>> {
    const { chosen, rooms } = await this.chosen(scope, filter);
    // Issues the links and codes of candidates who have none yet (an active test only), as the staff page does.
    const ways = new Map((await this.waysIn.linksFor(scope, by)).map((w) => [w.id, w]));
    const logins = shown.password
      ? await this.oneTimeUsers.credentialsFor(
          scope.exam,
          chosen.filter((c) => c.source === 'one-time').map((c) => c.id),
        )
      : new Map<string, { username: string; password: string }>();
    const groups = groupByRoom(
      chosen.map((c) => ({
        id: c.id,
        candidateId: c.candidateId,
        building: c.building,
        room: c.room,
        extraTimeMinutes: c.extraTimeMinutes,
        username: logins.get(c.id)?.username ?? null,
        password: logins.get(c.id)?.password ?? null,
        code: shown.entryCode ? (ways.get(c.id)?.code ?? null) : null,
        link: shown.link ? (ways.get(c.id)?.link ?? null) : null,
      })),
    );
    return { groups, rooms };
  }

  /** The invigilator sheet: per room, its candidates with name (where the LMS gave one) and extra time. */
  async sheet(scope: ExamScope, filter: HandoutFilter): Promise<Printout<SheetLine>> {
    const { chosen, rooms } = await this.chosen(scope, filter);
    const groups = groupByRoom(
      chosen.map((c) => ({
        id: c.id,
        candidateId: c.candidateId,
        name: c.name,
        building: c.building,
        room: c.room,
        extraTimeMinutes: c.extraTimeMinutes,
      })),
    );
    return { groups, rooms };
  }

  /** One candidate's slip data (the per-candidate page shows what a fresh slip would). */
  async slipOf(scope: ExamScope, id: string, by: AuditBy): Promise<{ candidate: Candidate; slip: Slip | null }> {
    this.assertReady(scope);
    const candidate = await this.candidates.get(scope.exam, id);
    const { groups } = await this.slips(scope, { candidate: candidate.id }, by);
    return { candidate, slip: groups[0]?.candidates[0] ?? null };
  }

  /**
   * A new password, entry code or direct link for one candidate; the old one stops working at
   * once. Each service records it in the audit trail in the same transaction (never the value).
   */
  async regenerate(scope: ExamScope, id: string, what: Regenerate, by: AuditBy): Promise<void> {
    this.assertReady(scope);
    if (what === 'password') {
      await this.oneTimeUsers.regeneratePassword(scope.exam, id, by);
    } else {
      await this.waysIn.reissue(scope, id, by, [what]);
    }
  }

  /**
   * The candidate, if `what` can be made for them now (asked before the confirmation): a password
   * for a one-time user only; a code or link while the test is active, for an active candidate.
   */
  async regenerable(scope: ExamScope, id: string, what: Regenerate): Promise<Candidate> {
    this.assertReady(scope);
    const candidate = await this.candidates.get(scope.exam, id);
    if (what === 'password') {
      await this.oneTimeUsers.requireAccount(scope.exam, candidate.id);
    } else if (scope.exam.status !== 'active') {
      throw new ExamStateError(`New links and codes are made only while the test is active. This one is ${scope.exam.status}.`);
    } else if (candidate.status !== 'active') {
      throw new ExamStateError(`${candidate.candidateId} is withdrawn: restore them on the candidates page first.`);
    }
    return candidate;
  }

  /** The filter's active candidates, and (unless it names one candidate) every room of the test, from one read. */
  private async chosen(scope: ExamScope, filter: HandoutFilter): Promise<{ chosen: Candidate[]; rooms: RoomCount[] }> {
    this.assertReady(scope);
    if (filter.candidate !== undefined) {
      const one = await this.candidates.get(scope.exam, filter.candidate);
      return { chosen: one.status === 'active' ? [one] : [], rooms: [] };
    }
    const active = (await this.candidates.all(scope.exam)).filter((c) => c.status === 'active');
    const rooms = groupByRoom(active).map((g) => ({ building: g.building, room: g.room, count: g.candidates.length }));
    const chosen = active.filter(
      (c) =>
        (filter.building === undefined || (c.building ?? '') === filter.building) &&
        (filter.room === undefined || (c.room ?? '') === filter.room),
    );
    return { chosen, rooms };
  }

  private assertReady(scope: ExamScope): void {
    if (scope.exam.status === 'draft') {
      throw new HandoutNotReadyError();
    }
  }
}
