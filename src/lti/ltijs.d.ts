/**
 * Our own declarations for the part of ltijs 5.9 that examgate uses. The types published
 * on npm describe ltijs 4; these follow node_modules/ltijs/dist (read it when in doubt).
 */
declare module 'ltijs' {
  import type { Express, Request, Response, NextFunction } from 'express';
  import type LtijsStorage from 'ltijs-sequelize';

  /** The validated launch in ltijs's shape (validated-launch.ts builds it as ltijs's onConnect would receive it). */
  export interface LtijsIdToken {
    iss: string;
    user: string;
    userInfo: { given_name?: string; family_name?: string; name?: string; email?: string };
    platformInfo?: Record<string, unknown>;
    clientId: string;
    platformId: string;
    deploymentId: string;
    platformContext: LtijsContextToken;
  }

  export interface LtijsContextToken {
    /** ltijs's key for its own context-token row, which examgate neither writes nor reads. */
    contextId?: string;
    user: string;
    context?: { id: string; label?: string; title?: string; type?: string[] };
    resource?: { id: string; title?: string; description?: string };
    messageType: string;
    version: string;
    deepLinkingSettings?: Record<string, unknown>;
    lis?: Record<string, unknown>;
    path: string;
    roles: string[];
    targetLinkUri: string;
    custom?: Record<string, unknown>;
    launchPresentation?: Record<string, unknown>;
    endpoint?: { scope?: string[]; lineitems?: string; lineitem?: string };
    namesRoles?: { context_memberships_url: string; service_versions?: string[] };
  }

  export interface LtijsError {
    status: number;
    error: string;
    details: { message?: string; description?: string };
  }

  export interface LtijsPlatform {
    platformId(): Promise<string>;
    platformUrl(): Promise<string>;
    platformClientId(): Promise<string>;
    platformActive(active?: boolean): Promise<boolean>;
    platformPublicKey(): Promise<string>;
    /** Client-credentials grant at the platform's token endpoint; ltijs caches the token until it expires. */
    platformAccessToken(scopes: string): Promise<{ access_token: string; token_type?: string }>;
  }

  export interface LtijsPlatformRegistration {
    url: string;
    name: string;
    clientId: string;
    authenticationEndpoint: string;
    accesstokenEndpoint: string;
    authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
  }

  type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
  type LaunchHandler = (token: LtijsIdToken, req: Request, res: Response, next: NextFunction) => unknown;

  export interface LtijsProvider {
    app: Express;
    /** The storage plugin given to setup (examgate's ExamgateLtiDatabase). */
    Database: LtijsStorage;
    setup(encryptionKey: string, database: { plugin: unknown }, options: Record<string, unknown>): LtijsProvider;
    deploy(options: { serverless: true; silent: boolean }): Promise<boolean>;
    close(options: { silent: boolean }): Promise<boolean>;
    onConnect(handler: LaunchHandler): true;
    onDeepLinking(handler: LaunchHandler): true;
    onDynamicRegistration(handler: Handler): true;
    onInvalidToken(handler: Handler): true;
    onSessionTimeout(handler: Handler): true;
    onUnregisteredPlatform(handler: Handler): true;
    onInactivePlatform(handler: Handler): true;
    registerPlatform(platform: LtijsPlatformRegistration): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId: string): Promise<LtijsPlatform | false>;
    getPlatform(url: string): Promise<LtijsPlatform[] | false>;
    deletePlatform(url: string, clientId: string): Promise<boolean>;
    DeepLinking: {
      createDeepLinkingMessage(idtoken: LtijsIdToken, contentItems: unknown[], options?: { message?: string }): Promise<string>;
    };
    DynamicRegistration?: {
      register(openidConfiguration: string, registrationToken?: string): Promise<string>;
    };
  }

  export const Provider: LtijsProvider;
}

declare module 'ltijs-sequelize' {
  import type { Options, Sequelize } from 'sequelize';
  export default class Database {
    constructor(database: string, user: string | null, pass: string | null, options: Options);
    db: Sequelize;
    setup(): Promise<boolean>;
    /** AES-256-CBC under sha256(secret): how ltijs seals its encrypted rows (ltijs-sealed-rows.repository.ts). */
    Encrypt(data: string, secret: string): Promise<{ iv: string; data: string }>;
    Decrypt(data: string, iv: string, secret: string): Promise<string>;
    Close(): Promise<boolean>;
    Get(encryptionKey: string | false, table: string, info?: Record<string, unknown>): Promise<Record<string, unknown>[] | false>;
    Insert(encryptionKey: string | false, table: string, item: Record<string, unknown>, index?: Record<string, unknown>): Promise<boolean>;
    Delete(table: string, info: Record<string, unknown>): Promise<boolean>;
    Replace(
      encryptionKey: string | false,
      table: string,
      info: Record<string, unknown>,
      item: Record<string, unknown>,
      index?: Record<string, unknown>,
    ): Promise<boolean>;
    Modify(
      encryptionKey: string | false,
      table: string,
      info: Record<string, unknown>,
      modification: Record<string, unknown>,
    ): Promise<boolean>;
  }
}

/** ltijs's own id_token validator (used directly by validated-launch.ts, without ltijs's ltik flow around it). */
declare module 'ltijs/dist/Utils/Auth.js' {
  import type { LtijsPlatform } from 'ltijs';

  const Auth: {
    /**
     * Verifies the signature with the platform's key, the issuer against the state cookie's,
     * aud/azp, alg, the token's age, the nonce (through the storage plugin) and the LTI claims;
     * resolves to the verified claims plus `clientId` and `platformId`, or throws an Error whose
     * message is ltijs's code (INVALID_JWT_RECEIVED, MISSING_VALIDATION_COOKIE, …).
     */
    validateToken(
      idToken: string,
      devMode: false,
      validation: { iss: unknown; maxAge: number },
      getPlatform: (issuer: string, clientId: string, encryptionKey: string, database: unknown) => Promise<LtijsPlatform | false>,
      encryptionKey: string,
      database: unknown,
    ): Promise<Record<string, unknown> & { iss: string; sub: string; clientId: string; platformId: string }>;
  };
  export default Auth;
}
