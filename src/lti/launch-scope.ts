import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What ltijs does not pass down to its storage plugin while it validates an id_token: the
 * `kid` of the token's header. The launch guard opens the scope; it lasts until ltijs hands
 * the validated launch to examgate (lti-provider.ts), so the storage layer can answer "which
 * key verifies this launch" from a cache (lti-database.ts).
 */
const scope = new AsyncLocalStorage<{ kid: string } | undefined>();

/** Runs `next` (and everything it starts) as the validation of a launch signed with `kid`. */
export function inLaunchScope<T>(kid: string, next: () => T): T {
  return scope.run({ kid }, next);
}

/** The kid of the launch being validated in this async context, if any. */
export function launchKid(): string | undefined {
  return scope.getStore()?.kid;
}

/** Runs `work` outside any launch scope: what examgate does after ltijs has validated the launch. */
export function outsideLaunchScope<T>(work: () => T): T {
  return scope.run(undefined, work);
}
