/** Slips and the invigilator sheet of a draft: it has no usernames, passwords, links or codes yet (DESIGN: after activation). */
export class HandoutNotReadyError extends Error {
  constructor() {
    super(
      'Login slips and the invigilator sheet are ready once the test is active: a draft has no usernames, passwords, links or codes yet. Activate the test first.',
    );
    this.name = 'HandoutNotReadyError';
  }
}
