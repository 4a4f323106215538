/** An export of a test that has no credentials to hand out yet (a draft): seed 000/001, credentials only after activation. */
export class ExportRefusedError extends Error {
  constructor(status: string) {
    super(
      `This test is a ${status}: usernames, passwords, entry codes and direct links exist only once it is activated, so there is nothing to export yet. Activate the test first.`,
    );
    this.name = 'ExportRefusedError';
  }
}

/** An export asked for with a choice the page never offers (separator, source, status). */
export class InvalidExportChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidExportChoiceError';
  }
}
