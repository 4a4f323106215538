/**
 * The HTTP part of the physical floor: a node:http server that answers every request with a
 * small page and nothing else, so its CPU per request is what any HTTP exchange costs here.
 */
import { createServer } from 'node:http';
import { installProbe, signalReady } from './child-probe.js';

installProbe();
const page = Buffer.from('<!doctype html><title>floor</title><p>ok</p>');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
  res.end(page);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => signalReady());
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
