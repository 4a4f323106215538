import type { RegistrationTokenService } from '../platforms/registration-token.service.js';
import { presentRegistrationUrl, relativeWords, utcWords } from '../platforms/registration-url.presenter.js';

/** `registration-url`, `registration-urls` and `revoke-registration-url` of `npm run platform`. */
export async function registrationUrlCommand(
  command: string,
  urls: RegistrationTokenService,
  mode: 'off' | 'token' | 'open',
  options: { hours: number | undefined; id: string | undefined },
): Promise<void> {
  if (command === 'registration-urls') {
    const now = new Date();
    const all = (await urls.list()).map((u) => presentRegistrationUrl(u, now));
    console.log(
      all.length === 0
        ? 'No registration URL has been created yet.'
        : all.map((u) => `${u.id}  created ${u.created}  expires ${u.expires}  ${u.status}  (${u.attempts} attempts)`).join('\n'),
    );
    return;
  }
  if (command === 'revoke-registration-url') {
    await urls.revoke(options.id ?? '');
    console.log(`Revoked registration URL ${options.id}.`);
    return;
  }
  const created = await urls.create(options.hours);
  console.log(
    [
      'Registration URL (shown only this once; examgate keeps no copy):',
      '',
      `  ${created.url}`,
      '',
      `It works for one registration and expires ${relativeWords(created.expiresAt, new Date())} (${utcWords(created.expiresAt)}).`,
      "Paste it into Moodle's Tool URL (Site administration > Plugins > External tool > Manage tools) or Canvas's dynamic registration.",
      'The LMS then waits for approval: `npm run platform -- list`, then `npm run platform -- approve --id PLATFORM_ID`.',
      ...(mode === 'off'
        ? ['', 'Note: DYNAMIC_REGISTRATION is off, so examgate refuses every registration until it is set to token.']
        : []),
    ].join('\n'),
  );
}
