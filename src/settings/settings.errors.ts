/** A problem with one field of the settings form; every problem of a save is reported at once. */
export interface SettingsProblem {
  field: string;
  message: string;
}

/** The settings sent do not hold: nothing was saved. */
export class InvalidSettingsError extends Error {
  constructor(readonly problems: SettingsProblem[]) {
    super(problems.map((p) => p.message).join(' '));
    this.name = 'InvalidSettingsError';
  }
}
