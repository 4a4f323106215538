/**
 * Loaded with `node --import` before examgate's compiled entry point (dist/src/main.js), so the
 * process the bench measures is the production build itself, with only the bench's CPU probe
 * on the IPC channel added (and no TypeScript runtime).
 */
import { installProbe } from './child-probe.js';

installProbe();
