import type { Platform } from '../platforms/platform.js';

/** What an examgate administrator does to let a held launch in: a deployment of an approved platform, or a whole platform. */
export type HeldKind = 'deployment' | 'platform';

/** A word the shell takes as it is: plain ids stay as they are, anything else goes in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._:@%+=,/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A launch examgate holds until an administrator approves it. Whoever launched sees it, and it
 * is written for them to pass on: which platform and deployment, and exactly how to approve it
 * (the admin page, or the command).
 */
export class LaunchHeldError extends Error {
  readonly kind: HeldKind;
  readonly platformName: string;
  readonly issuer: string;
  readonly deploymentId: string;
  /** Where the platform is on the admin page. */
  readonly adminUrl: string;
  readonly approveCommand: string;

  constructor(platform: Platform, deploymentId: string, publicUrl: string) {
    const kind: HeldKind = platform.status === 'pending' ? 'platform' : 'deployment';
    super(
      kind === 'platform'
        ? `${platform.name} registered itself with examgate and waits for an administrator to approve it.`
        : `Deployment ${deploymentId} of ${platform.name} is new to examgate and waits for an administrator to approve it.`,
    );
    this.name = 'LaunchHeldError';
    this.kind = kind;
    this.platformName = platform.name;
    this.issuer = platform.issuer;
    this.deploymentId = deploymentId;
    this.adminUrl = `${publicUrl}/admin#platform-${encodeURIComponent(platform.id)}`;
    this.approveCommand =
      kind === 'platform'
        ? `npm run platform -- approve --id ${platform.id}`
        : `npm run platform -- approve-deployment --id ${platform.id} --deployment-id ${shellWord(deploymentId)}`;
  }
}
