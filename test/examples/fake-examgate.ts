/**
 * Plays examgate's side of the delivery protocol for the sample engine's tests: it publishes
 * its own JWKS (counting fetches), receives reports and checks them against the engine's
 * JWKS exactly as examgate does, and can be told to refuse a report.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jwt from 'jsonwebtoken';

export interface ReceivedReport {
  /** The attempt named in the report URL. */
  attempt: string;
  verified: boolean;
  header?: jwt.JwtHeader;
  claims?: jwt.JwtPayload;
  problem?: string;
}

export interface Refusal {
  event: 'started' | 'finished';
  status: number;
  body: unknown;
}

export class FakeExamgate {
  readonly kid = 'examgate-2030-01';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  jwksFetches = 0;
  readonly reports: ReceivedReport[] = [];
  readonly #refusals = new Map<string, Refusal>();
  #engineOrigin: string | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    keys: { privateKey: KeyObject; publicKey: KeyObject },
  ) {
    this.privateKey = keys.privateKey;
    this.publicKey = keys.publicKey;
  }

  static async start(): Promise<FakeExamgate> {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = express();
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const examgate = new FakeExamgate(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys);
    app.get('/.well-known/jwks.json', (_req, res) => {
      examgate.jwksFetches += 1;
      res.json({ keys: [examgate.jwk()] });
    });
    app.post('/attempts/:attempt/report', (req, res, next) => {
      examgate.receive(req.params.attempt, req.get('authorization')).then(({ status, body }) => res.status(status).json(body), next);
    });
    return examgate;
  }

  /** The report receiver trusts reports signed by keys at this engine origin's JWKS. */
  trustEngine(origin: string): void {
    this.#engineOrigin = origin;
  }

  jwk(): JsonWebKey {
    return { ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' };
  }

  reportUrl(attempt: string): string {
    return `${this.url}/attempts/${encodeURIComponent(attempt)}/report`;
  }

  returnUrl(attempt: string): string {
    return `${this.url}/attempts/${encodeURIComponent(attempt)}/finished`;
  }

  refuse(attempt: string, refusal: Refusal): void {
    this.#refusals.set(attempt, refusal);
  }

  reportsFor(attempt: string): ReceivedReport[] {
    return this.reports.filter((report) => report.attempt === attempt);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(attempt: string, authorization: string | undefined): Promise<{ status: number; body: unknown }> {
    let report: ReceivedReport;
    try {
      report = { attempt, verified: true, ...(await this.verifyReport(attempt, authorization)) };
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      this.reports.push({ attempt, verified: false, problem });
      return { status: 401, body: { error: { code: 'invalid_report', message: `The report could not be verified: ${problem}` } } };
    }
    this.reports.push(report);
    const refusal = this.#refusals.get(attempt);
    if (refusal && refusal.event === report.claims?.event) {
      return { status: refusal.status, body: refusal.body };
    }
    return { status: 204, body: null };
  }

  private async verifyReport(
    attempt: string,
    authorization: string | undefined,
  ): Promise<{ header: jwt.JwtHeader; claims: jwt.JwtPayload }> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token || !this.#engineOrigin) {
      throw new Error('no bearer token, or no engine trusted yet');
    }
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded?.header.kid;
    const jwks = (await (await fetch(`${this.#engineOrigin}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const jwk = jwks.keys.find((key) => key.kid === kid);
    if (!decoded || !jwk) {
      throw new Error(`kid ${String(kid)} is not in the engine's JWKS`);
    }
    const claims = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
      algorithms: ['RS256'],
      issuer: this.#engineOrigin,
      audience: this.url,
      subject: attempt,
    });
    if (typeof claims === 'string' || claims.purpose !== 'examgate-delivery-report') {
      throw new Error('not a delivery report');
    }
    return { header: decoded.header, claims };
  }
}
