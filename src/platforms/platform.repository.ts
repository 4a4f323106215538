import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import type { SideRead } from '../db/side-read.js';
import { withTransaction } from '../db/transactions.js';
import { DeploymentRow, PlatformRow, definePlatformModels } from './platform.model.js';
import {
  SSO_MATCH_FIELDS,
  type Deployment,
  type DeploymentStatus,
  type Platform,
  type PlatformStatus,
  type SsoMatchField,
} from './platform.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';

export type NewPlatform = Omit<Platform, 'id' | 'deployments'>;

/** What makes a registration: how the LMS knows examgate (client id) and where examgate reaches it. */
export type RegistrationFields = Pick<Platform, 'clientId' | 'authUrl' | 'tokenUrl' | 'jwksUrl' | 'ltijsPlatformId'>;

type DeploymentFields = Pick<DeploymentRow, 'deployment_id' | 'status' | 'source'> & { created_at?: Date | string | null };
type PlatformFields = Pick<
  PlatformRow,
  | 'id'
  | 'issuer'
  | 'client_id'
  | 'name'
  | 'preset'
  | 'auth_url'
  | 'token_url'
  | 'jwks_url'
  | 'new_deployment_policy'
  | 'ltijs_platform_id'
  | 'status'
  | 'default_time_zone'
  | 'sso_match_field'
>;

/** A platform row with the one deployment a launch names joined to it (null columns when that deployment is unknown). */
type LaunchPlatformRow = PlatformFields & {
  deployment_id: string | null;
  deployment_status: string | null;
  deployment_source: string | null;
  deployment_created_at: Date | string | null;
};

/** The platform of a launch's row, with the launch's deployment when it is known. */
function launchPlatformOf(row: LaunchPlatformRow): Platform {
  const deployment =
    row.deployment_id === null
      ? []
      : [
          {
            deployment_id: row.deployment_id,
            status: row.deployment_status ?? 'pending',
            source: row.deployment_source ?? 'launch',
            created_at: row.deployment_created_at,
          },
        ];
  return toPlatform(row, deployment);
}

function toDeployment(row: DeploymentFields): Deployment {
  return {
    deploymentId: row.deployment_id,
    status: row.status as DeploymentStatus,
    source: row.source as Deployment['source'],
    firstSeenAt: row.created_at ? new Date(row.created_at) : new Date(0),
  };
}

function toPlatform(row: PlatformFields, deployments: DeploymentFields[]): Platform {
  return {
    id: row.id,
    issuer: row.issuer,
    clientId: row.client_id,
    name: row.name,
    preset: row.preset as Platform['preset'],
    authUrl: row.auth_url,
    tokenUrl: row.token_url,
    jwksUrl: row.jwks_url,
    newDeploymentPolicy: (row.new_deployment_policy as Platform['newDeploymentPolicy']) ?? null,
    defaultTimeZone: row.default_time_zone,
    ssoMatchField: SSO_MATCH_FIELDS.find((field) => field === row.sso_match_field) ?? 'sub',
    ltijsPlatformId: row.ltijs_platform_id,
    status: row.status === 'pending' ? 'pending' : 'active',
    deployments: deployments.map(toDeployment),
  };
}

/** Queries over platforms and their deployments; nothing else. */
export class PlatformRepository {
  constructor(private readonly sequelize: Sequelize) {
    definePlatformModels(sequelize);
  }

  /** Runs `work` in one unit of work: what it writes through this or another repository commits together, or not at all. */
  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /** `work` in the caller's transaction, else in one of its own. */
  private within<T>(transaction: Transaction | undefined, work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return transaction ? work(transaction) : withTransaction(this.sequelize, work);
  }

  async insert(platform: NewPlatform, deploymentIds: string[], unit?: UnitOfWork): Promise<Platform> {
    const outer = transactionOf(unit);
    return this.within(outer, async (transaction) => {
      const row = await PlatformRow.create(
        {
          id: randomUUID(),
          issuer: platform.issuer,
          client_id: platform.clientId,
          name: platform.name,
          preset: platform.preset,
          auth_url: platform.authUrl,
          token_url: platform.tokenUrl,
          jwks_url: platform.jwksUrl,
          new_deployment_policy: platform.newDeploymentPolicy,
          default_time_zone: platform.defaultTimeZone,
          sso_match_field: platform.ssoMatchField,
          ltijs_platform_id: platform.ltijsPlatformId,
          status: platform.status,
        },
        { transaction },
      );
      const deployments = await DeploymentRow.bulkCreate(
        deploymentIds.map((id) => ({ platform_id: row.id, deployment_id: id, status: 'active', source: 'registration' })),
        { transaction },
      );
      return toPlatform(row, deployments);
    });
  }

  async list(): Promise<Platform[]> {
    const [rows, deployments] = await Promise.all([PlatformRow.findAll({ order: [['created_at', 'ASC']] }), DeploymentRow.findAll()]);
    return rows.map((row) =>
      toPlatform(
        row,
        deployments.filter((d) => d.platform_id === row.id),
      ),
    );
  }

  async findById(id: string, unit?: UnitOfWork): Promise<Platform | null> {
    const transaction = transactionOf(unit);
    const row = await PlatformRow.findByPk(id, { transaction });
    return row ? toPlatform(row, await DeploymentRow.findAll({ where: { platform_id: id }, transaction })) : null;
  }

  async findByIssuerAndClientId(issuer: string, clientId: string): Promise<Platform | null> {
    const row = await PlatformRow.findOne({ where: { issuer, client_id: clientId } });
    return row ? toPlatform(row, await DeploymentRow.findAll({ where: { platform_id: row.id } })) : null;
  }

  /**
   * The platform a launch names, read afresh on every launch (a removed platform cannot launch
   * while caches elsewhere still hold it), as one SELECT the launch's login end carries
   * (lti/login-request.repository.ts): its `deployments` hold only the launch's own deployment,
   * when that is known.
   */
  readForLaunch(issuer: string, clientId: string, deploymentId: string): SideRead<Platform | null> {
    return {
      statement: {
        text: `SELECT p.id, p.issuer, p.client_id, p.name, p.preset, p.auth_url, p.token_url, p.jwks_url, p.new_deployment_policy,
              p.ltijs_platform_id, p.status, p.default_time_zone, p.sso_match_field, d.deployment_id, d.status AS deployment_status, d.source AS deployment_source,
              d.created_at AS deployment_created_at
       FROM lms_platforms p LEFT JOIN platform_deployments d ON d.platform_id = p.id AND d.deployment_id = ?
       WHERE p.issuer = ? AND p.client_id = ?`,
        params: [deploymentId, issuer, clientId],
      },
      // At most one row; its one date goes through new Date(), so JSON's text reads as the driver's Date.
      read: ([found]) => (found ? launchPlatformOf(found as LaunchPlatformRow) : null),
    };
  }

  async findDeployment(platformId: string, deploymentId: string, unit?: UnitOfWork): Promise<Deployment | null> {
    const transaction = transactionOf(unit);
    const row = await DeploymentRow.findOne({ where: { platform_id: platformId, deployment_id: deploymentId }, transaction });
    return row ? toDeployment(row) : null;
  }

  /** Inserts the deployment unless it exists; returns what is stored either way, and whether this call created it. */
  async addDeployment(
    platformId: string,
    deploymentId: string,
    status: DeploymentStatus,
    source: Deployment['source'],
    unit?: UnitOfWork,
  ): Promise<[Deployment, boolean]> {
    const transaction = transactionOf(unit);
    const [row, created] = await DeploymentRow.findOrCreate({
      where: { platform_id: platformId, deployment_id: deploymentId },
      defaults: { platform_id: platformId, deployment_id: deploymentId, status, source },
      transaction,
    });
    return [toDeployment(row), created];
  }

  async setDeploymentStatus(platformId: string, deploymentId: string, status: DeploymentStatus, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const where = { platform_id: platformId, deployment_id: deploymentId };
    const [count] = await DeploymentRow.update({ status }, { where, transaction });
    return count > 0;
  }

  async removeDeployment(platformId: string, deploymentId: string, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    return (await DeploymentRow.destroy({ where: { platform_id: platformId, deployment_id: deploymentId }, transaction })) > 0;
  }

  async setStatus(platformId: string, status: PlatformStatus, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const [count] = await PlatformRow.update({ status }, { where: { id: platformId }, transaction });
    return count > 0;
  }

  async setPolicy(platformId: string, policy: Platform['newDeploymentPolicy'], unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const [count] = await PlatformRow.update({ new_deployment_policy: policy }, { where: { id: platformId }, transaction });
    return count > 0;
  }

  async setSsoMatchField(platformId: string, field: SsoMatchField, unit?: UnitOfWork): Promise<boolean> {
    const [count] = await PlatformRow.update({ sso_match_field: field }, { where: { id: platformId }, transaction: transactionOf(unit) });
    return count > 0;
  }

  async setDefaultTimeZone(platformId: string, zone: string, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const [count] = await PlatformRow.update({ default_time_zone: zone }, { where: { id: platformId }, transaction });
    return count > 0;
  }

  /**
   * Gives a platform the registration of another: the deployments of `fromId` become the
   * platform's (its own are dropped: they belonged to its old client id), then its client id,
   * endpoints and ltijs record are replaced. The caller removes `fromId` first, in the same unit.
   */
  async takeDeployments(platformId: string, fromId: string, unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await DeploymentRow.destroy({ where: { platform_id: platformId }, transaction });
    await DeploymentRow.update({ platform_id: platformId }, { where: { platform_id: fromId }, transaction });
  }

  async setRegistration(platformId: string, registration: RegistrationFields, unit: UnitOfWork): Promise<void> {
    await PlatformRow.update(
      {
        client_id: registration.clientId,
        auth_url: registration.authUrl,
        token_url: registration.tokenUrl,
        jwks_url: registration.jwksUrl,
        ltijs_platform_id: registration.ltijsPlatformId,
      },
      { where: { id: platformId }, transaction: transactionOf(unit) },
    );
  }

  async remove(id: string, unit?: UnitOfWork): Promise<boolean> {
    const outer = transactionOf(unit);
    return this.within(outer, async (transaction) => {
      await DeploymentRow.destroy({ where: { platform_id: id }, transaction });
      return (await PlatformRow.destroy({ where: { id }, transaction })) > 0;
    });
  }
}
