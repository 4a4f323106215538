/**
 * Loaded first in every tool process the bench starts (never in examgate itself): answers
 * the bench's questions over the IPC channel, so measuring needs no HTTP route in the tool.
 */
export interface ProbeRequest {
  type: 'cpu';
  id: number;
}

export interface ProbeReply {
  type: 'cpu';
  id: number;
  /** process.cpuUsage() of this process, microseconds. */
  user: number;
  system: number;
}

export function installProbe(): void {
  if (!process.send) {
    throw new Error('bench tool processes must be started by the bench (they need its IPC channel)');
  }
  process.on('message', (message: ProbeRequest) => {
    if (message?.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', id: message.id, user, system } satisfies ProbeReply);
    }
  });
  // The IPC channel must not keep a tool alive after its own shutdown, and a tool must not
  // outlive the bench (however the bench ended, its end closes the channel).
  process.channel?.unref();
  process.once('disconnect', () => process.exit(0));
}

/** Tells the bench this process is ready to be measured. */
export function signalReady(details: Record<string, unknown> = {}): void {
  process.send?.({ type: 'ready', ...details });
}
