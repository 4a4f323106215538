/**
 * examgate under test: the real entry point (src/main.ts, configured by the environment the
 * bench sets), plus the bench's CPU probe on the IPC channel. Readiness is /readyz.
 */
import { installProbe } from './child-probe.js';

installProbe();
await import('../src/main.js');
