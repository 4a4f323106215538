/** A file the engine cannot read at all (not one row of it): the upload form shows the message. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** The preview is gone (expired, or another one of the same file was committed): upload again. */
export class ImportNotFoundError extends Error {
  constructor() {
    super('This import preview is no longer available (previews are kept for an hour). Upload the file again.');
    this.name = 'ImportNotFoundError';
  }
}

/** What is stored changed between the preview and the commit: the commit wrote nothing. */
export class ImportConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportConflictError';
  }
}
