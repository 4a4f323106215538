/** `purpose` claims: one kind of examgate token can never pass as another. */
export const PURPOSE = {
  handoff: 'examgate-handoff',
  report: 'examgate-delivery-report',
  startTicket: 'examgate-start-ticket',
} as const;

/** The hand-off a delivery engine receives (see docs/delivery-protocol.md). */
export interface HandoffClaims {
  purpose: typeof PURPOSE.handoff;
  exam: {
    id: string;
    title: string;
    durationMinutes: number | null;
    window: { start: string | null; end: string | null; timeZone: string };
  };
  candidate: { id: string; extraTimeMinutes: number };
  attempt: string;
  report_url: string;
  return_url: string;
}

/** A report from a delivery engine, after verification and narrowing. */
export interface DeliveryReport {
  attemptRef: string;
  jti: string;
  expiresAt: Date;
  event: 'started' | 'finished';
  score: { given: number; maximum: number } | null;
}
