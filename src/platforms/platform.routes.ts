import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { AuditBy } from '../audit/audit.js';
import type { LoginThrottle } from '../throttle/login-throttle.js';
import { asyncHandler } from '../web/async-handler.js';
import { clientAddress } from '../web/throttle.js';
import { HttpError } from '../web/http-error.js';
import type { PlatformService } from './platform.service.js';
import type { PlatformMoveService } from './platform-move.service.js';
import type { Platform } from './platform.js';
import type { ToolConfiguration } from './tool-configuration.js';

const registration = z.object({
  issuer: z.string().optional(),
  clientId: z.string({ error: 'clientId is required' }),
  deploymentIds: z.array(z.string()).optional(),
  deploymentId: z.string().optional(),
  name: z.string().max(200).optional(),
  preset: z.enum(['canvas', 'moodle', 'custom']).optional(),
  authUrl: z.string().optional(),
  tokenUrl: z.string().optional(),
  jwksUrl: z.string().optional(),
  newDeploymentPolicy: z.enum(['accept', 'hold']).nullable().optional(),
  defaultTimeZone: z.string().max(64).optional(),
  skipJwksCheck: z.boolean().optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HttpError(400, 'invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * Compares digests so neither the length nor the content of the token leaks through timing.
 * The API takes the same ADMIN_TOKEN as the sign-in form, so it shares that form's failure
 * throttle: a locked address is refused before any comparison (else the API would be a way
 * round the form's lock), and only wrong tokens count, so scripts are never slowed down.
 */
function requireAdminToken(adminToken: string | undefined, throttle: LoginThrottle) {
  const expected = adminToken ? createHash('sha256').update(adminToken).digest() : null;
  return asyncHandler(async (req, _res, next) => {
    if (!expected) {
      throw new HttpError(403, 'admin_api_disabled', 'The admin API is off: set ADMIN_TOKEN to enable it.');
    }
    const address = clientAddress(req);
    await throttle.assertNotLocked({ address });
    const sent = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (!timingSafeEqual(createHash('sha256').update(sent).digest(), expected)) {
      await throttle.failed({ address });
      throw new HttpError(401, 'unauthorized', 'A valid admin token is required (Authorization: Bearer <ADMIN_TOKEN>).');
    }
    next();
  });
}

/** The API has one shared token, so its changes are "an administrator, by the API". */
const BY_API: AuditBy = { actor: { kind: 'admin', ref: 'admin API token' }, via: 'admin-api' };

function present(platform: Platform) {
  const { ltijsPlatformId: _internal, ...visible } = platform;
  return visible;
}

/** JSON API for institution admins: register, list and remove platforms and their deployments. */
export function platformAdminRoutes(
  service: PlatformService,
  moves: PlatformMoveService,
  adminToken: string | undefined,
  tool: ToolConfiguration,
  throttle: LoginThrottle,
): Router {
  const router = express.Router();
  router.use(express.json({ limit: '32kb' }), requireAdminToken(adminToken, throttle));

  router.get('/tool-configuration', (_req, res) => {
    res.json(tool);
  });
  router.get(
    '/platforms',
    asyncHandler(async (_req, res) => {
      res.json({ platforms: (await service.list()).map(present) });
    }),
  );
  router.post(
    '/platforms',
    asyncHandler(async (req, res) => {
      const input = parse(registration, req.body);
      const deploymentIds = [...(input.deploymentIds ?? []), ...(input.deploymentId ? [input.deploymentId] : [])];
      const platform = await service.register({ ...input, deploymentIds }, BY_API);
      res.status(201).json({ platform: present(platform) });
    }),
  );
  router.get(
    '/platforms/:id',
    asyncHandler(async (req, res) => {
      res.json({ platform: present(await service.get(String(req.params.id))) });
    }),
  );
  router.delete(
    '/platforms/:id',
    asyncHandler(async (req, res) => {
      await service.remove(String(req.params.id), BY_API);
      res.status(204).end();
    }),
  );
  router.post(
    '/platforms/:id/approve',
    asyncHandler(async (req, res) => {
      await service.approvePlatform(String(req.params.id), BY_API);
      res.json({ platform: present(await service.get(String(req.params.id))) });
    }),
  );
  router.put(
    '/platforms/:id/new-deployment-policy',
    asyncHandler(async (req, res) => {
      const { policy } = parse(z.object({ policy: z.enum(['accept', 'hold']).nullable() }), req.body);
      await service.setNewDeploymentPolicy(String(req.params.id), policy, BY_API);
      res.json({ platform: present(await service.get(String(req.params.id))) });
    }),
  );
  // Moves the platform (its courses, tests, candidates) to the registration of another platform of the same LMS.
  router.post(
    '/platforms/:id/move',
    asyncHandler(async (req, res) => {
      const { to } = parse(z.object({ to: z.string({ error: 'to (the new registration’s platform id) is required' }) }), req.body);
      res.json({ platform: present(await moves.move(String(req.params.id), to, BY_API)) });
    }),
  );
  router.put(
    '/platforms/:id/default-time-zone',
    asyncHandler(async (req, res) => {
      const { timeZone } = parse(z.object({ timeZone: z.string().max(64) }), req.body);
      const platform = await service.setDefaultTimeZone(String(req.params.id), timeZone, BY_API);
      res.json({ platform: present(platform) });
    }),
  );
  router.post(
    '/platforms/:id/deployments',
    asyncHandler(async (req, res) => {
      const { deploymentId } = parse(z.object({ deploymentId: z.string() }), req.body);
      await service.addDeployment(String(req.params.id), deploymentId, BY_API);
      res.status(201).json({ platform: present(await service.get(String(req.params.id))) });
    }),
  );
  router.post(
    '/platforms/:id/deployments/:deploymentId/approve',
    asyncHandler(async (req, res) => {
      await service.approveDeployment(String(req.params.id), String(req.params.deploymentId), BY_API);
      res.json({ platform: present(await service.get(String(req.params.id))) });
    }),
  );
  router.delete(
    '/platforms/:id/deployments/:deploymentId',
    asyncHandler(async (req, res) => {
      await service.removeDeployment(String(req.params.id), String(req.params.deploymentId), BY_API);
      res.status(204).end();
    }),
  );
  return router;
}
