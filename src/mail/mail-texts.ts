/**
 * The words of examgate's e-mails, plain text. Each says what happened, what to do next, and
 * that the details are private; none carries more than its purpose needs.
 */

const greeting = (name: string | null) => `Hello${name ? ` ${name}` : ''},`;

export function registrationText(input: {
  name: string | null;
  username: string;
  password: string | null;
  loginUrl: string;
  platformName: string;
}) {
  const lines = [
    greeting(input.name),
    '',
    `An account has been made for you on examgate (${input.platformName}), where you take your online tests.`,
    '',
    `Username: ${input.username}`,
    ...(input.password ? [`Password: ${input.password}`] : []),
    `Sign in at: ${input.loginUrl}`,
    '',
    input.password
      ? 'Keep this e-mail private: anyone with these details can sign in as you. If you forget the password, use "Forgot your password?" on the sign-in page.'
      : 'Your exam office gives you your password separately.',
  ];
  return { subject: 'Your examgate sign-in details', body: lines.join('\n') };
}

export function newPasswordText(input: { name: string | null; username: string; password: string; loginUrl: string; mustChange: boolean }) {
  const lines = [
    greeting(input.name),
    '',
    'Your exam office has set a new password for your examgate account. The old one no longer works.',
    '',
    `Username: ${input.username}`,
    `New password: ${input.password}`,
    `Sign in at: ${input.loginUrl}`,
    '',
    ...(input.mustChange ? ['You will be asked to choose a password of your own when you sign in.', ''] : []),
    'Keep this e-mail private: anyone with these details can sign in as you.',
  ];
  return { subject: 'Your new examgate password', body: lines.join('\n') };
}

export function resetLinkText(input: { name: string | null; username: string; link: string; minutes: number }) {
  const lines = [
    greeting(input.name),
    '',
    `Someone asked to reset the password of the examgate account "${input.username}". To choose a new password, open this link within ${input.minutes} minutes:`,
    '',
    input.link,
    '',
    'The link works once. If you did not ask for it, ignore this e-mail: your password stays as it is.',
  ];
  return { subject: 'Reset your examgate password', body: lines.join('\n') };
}

export function testText(sentBy: string) {
  return {
    subject: 'examgate test message',
    body: `This is a test message from examgate, sent by ${sentBy} from the e-mail settings page.\n\nIf you can read it, examgate can send e-mail through this SMTP server.`,
  };
}
