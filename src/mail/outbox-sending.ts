import type { JobHandler } from '../jobs/job.js';
import type { Logger } from '../logger.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { MailSettings } from './mail-settings.js';
import type { OutboxRepository } from './outbox.repository.js';
import { SmtpSendError, type SmtpRelay } from './smtp-transport.js';

export interface OutboxSendingDeps {
  repository: OutboxRepository;
  sealed: SealedText;
  /** The SMTP settings in force at the time of each run (null: none set up yet, so the try fails and waits). */
  settings: () => Promise<MailSettings | null>;
  /** Opens the relay for one run of a job (a batch's messages share its connection). */
  relay: (settings: MailSettings) => SmtpRelay;
  log: Logger;
}

/** How one try of one message ended. */
type TryOutcome = { kind: 'sent' } | { kind: 'skipped' } | { kind: 'retrying' | 'failed'; failure: SmtpSendError };

const NOT_SET_UP = 'E-mail is not set up: an installation admin enters the SMTP server on the e-mail settings page.';

function asSendError(err: unknown, log: Logger, id: string): SmtpSendError {
  if (err instanceof SmtpSendError) {
    return err;
  }
  log.error({ err, mailId: id }, 'mail send failed unexpectedly');
  return new SmtpSendError('Sending failed for an unexpected reason; see the server log.', false);
}

/**
 * The sending jobs. Each message keeps its own state on its mail_outbox row — one more attempt
 * per try (beginTry), 'sent' with the body erased (markSent), or 'retrying' / 'failed' with the
 * relay's answer (markFailedTry) — whichever job carries it: a batch's job or a message's own.
 * Sending is at least once: a process that dies after the relay took a message but before
 * markSent sends that one message again; anything marked sent is never sent again.
 */
export class OutboxSending {
  constructor(private readonly deps: OutboxSendingDeps) {}

  /**
   * One try of one message. `lastRun`: the job has no run left, so a failure is final. A 5xx
   * refusal (or an unreadable body) is final at once; any other failure leaves it 'retrying'.
   */
  private async tryOne(id: string, relay: SmtpRelay | null, lastRun: boolean, maxAttempts: number): Promise<TryOutcome> {
    const message = await this.deps.repository.withBody(id);
    if (!message || message.status === 'sent' || !(await this.deps.repository.beginTry(id))) {
      return { kind: 'skipped' };
    }
    try {
      if (!relay) {
        throw new SmtpSendError(NOT_SET_UP, false, true);
      }
      const body = message.bodySealed ? this.deps.sealed.open(message.bodySealed) : null;
      if (!body) {
        throw new SmtpSendError('The message body cannot be read with SECRET_KEY; it cannot be sent.', true);
      }
      await relay.send({ id, to: message.recipient, subject: message.subject, text: body.plain });
    } catch (err) {
      const failure = asSendError(err, this.deps.log, id);
      // The message's own tries count too: one taken over from a dead process may be ahead of the job's.
      const final = lastRun || failure.permanent || message.attempts + 1 >= maxAttempts;
      await this.deps.repository.markFailedTry(id, final ? 'failed' : 'retrying', failure.message);
      return { kind: final ? 'failed' : 'retrying', failure };
    }
    await this.deps.repository.markSent(id);
    return { kind: 'sent' };
  }

  /** Runs `work` with the relay of the settings in force now (null when none are set up), closed afterwards. */
  private async withRelay<T>(work: (relay: SmtpRelay | null) => Promise<T>): Promise<T> {
    const settings = await this.deps.settings();
    const relay = settings ? this.deps.relay(settings) : null;
    try {
      return await work(relay);
    } finally {
      relay?.close();
    }
  }

  /** The job of one message (subject: its id): "Send again", and messages queued before batches existed. */
  singleJob(): JobHandler {
    return async ({ job }) => {
      const lastRun = job.attempts >= job.maxAttempts;
      const outcome = await this.withRelay((relay) => this.tryOne(job.subjectId ?? '', relay, lastRun, job.maxAttempts));
      if (outcome.kind === 'skipped') {
        return { skipped: 'already sent or gone' };
      }
      if (outcome.kind === 'sent') {
        return { sent: true };
      }
      throw Object.assign(new Error(outcome.failure.message), { permanent: outcome.failure.permanent });
    };
  }

  /**
   * The job of a batch (subject: its batch id): every unsent message of it, one try each per run.
   * A message refused for good fails alone while the others go on; a relay-wide failure
   * (unreachable, login, not set up) stops the run, and the messages not reached wait with that
   * reason, no try counted. While any message waits, the run fails so the runner comes back after
   * its backoff; a later run reads the batch afresh, so what was sent is never tried again.
   */
  batchJob(): JobHandler {
    return async ({ job, progress }) => {
      const ids = await this.deps.repository.unsentOfBatch(job.subjectId ?? '');
      const lastRun = job.attempts >= job.maxAttempts;
      const run = await this.withRelay((relay) => this.sendEach(ids, relay, lastRun, job.maxAttempts, progress));
      if (run.waiting > 0) {
        throw new Error(`${run.waiting} of ${ids.length} messages wait for another try: ${run.reason}`);
      }
      return { sent: run.sent, failed: run.failed, waiting: 0 };
    };
  }

  /** One try of each of `ids` in order, stopping at a relay-wide failure (the rest then wait, or fail on the last run, untried). */
  private async sendEach(
    ids: string[],
    relay: SmtpRelay | null,
    lastRun: boolean,
    maxAttempts: number,
    progress: (done: number, total: number) => void,
  ) {
    const run = { sent: 0, failed: 0, waiting: 0, reason: null as string | null };
    for (const [i, id] of ids.entries()) {
      const outcome = await this.tryOne(id, relay, lastRun, maxAttempts);
      progress(i + 1, ids.length);
      if (outcome.kind === 'sent') {
        run.sent += 1;
      }
      if (outcome.kind === 'retrying' || outcome.kind === 'failed') {
        run[outcome.kind === 'failed' ? 'failed' : 'waiting'] += 1;
        run.reason ??= outcome.failure.message;
        if (outcome.failure.ofRelay) {
          const untried = ids.slice(i + 1);
          await this.deps.repository.markUntried(untried, lastRun ? 'failed' : 'retrying', outcome.failure.message);
          run[lastRun ? 'failed' : 'waiting'] += untried.length;
          break;
        }
      }
    }
    return run;
  }
}
