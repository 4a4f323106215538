import type { Sequelize } from 'sequelize';
import { SingleUseIds } from '../db/single-use-ids.js';

/**
 * Used id_token nonces, kept as long as a token carrying them could still be accepted.
 * ltijs's own storage forgets a nonce after 10 s, which would open a replay window as
 * soon as the allowed token age is raised above that.
 */
export class NonceRepository extends SingleUseIds {
  constructor(sequelize: Sequelize) {
    super(sequelize, 'lti_nonces', 'nonce');
  }
}
