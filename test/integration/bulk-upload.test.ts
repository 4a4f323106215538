import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/security/password-hash.js';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { auditRows } from '../support/audit.js';
import { commitBulk, hashingDone, previewBulk, uploadBulk, UPLOAD, usersOf, type UserRow } from '../support/bulk-upload.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';

const HEADER = 'Username,First Name,Last Name,Email,Venue,Role,Password';
/** anna exists (see storedAnna); carl is new. */
const FIXTURE = [HEADER, 'anna,Anne,,anna@new.example,Hall B,,Secret-Pass1', 'carl,Carl,Holm,carl@uni.example,,,Carl-Pass12', ''].join(
  '\r\n',
);
const DEFAULTS = { 'default-role': 'Student', 'default-clientId': 'INST-1' };

type Seen = Pick<UserRow, 'username' | 'first_name' | 'last_name' | 'email' | 'venue' | 'role' | 'client_id' | 'title'>;
const seen = (u: UserRow): Seen => ({
  username: u.username,
  first_name: u.first_name,
  last_name: u.last_name,
  email: u.email,
  venue: u.venue,
  role: u.role,
  client_id: u.client_id,
  title: u.title,
});
const annaBefore: Seen = {
  username: 'anna',
  first_name: 'Anna',
  last_name: 'Berg',
  email: 'anna@uni.example',
  venue: null,
  role: 'Candidate',
  client_id: null,
  title: 'Ms',
};
const carl: Seen = {
  username: 'carl',
  first_name: 'Carl',
  last_name: 'Holm',
  email: 'carl@uni.example',
  venue: null,
  role: 'Student',
  client_id: 'INST-1',
  title: null,
};

describe('Bulk upload of permanent users (seed 004): options, rows, commit and the hashing job', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let platformId: string;
  let cookie: string;

  let annaHash: string;
  // One world and one admin session for the file: each test starts from no permanent users (scrypt is slow by design).
  before(async () => {
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
    annaHash = await hashPassword('Old-Passw0rd');
  });
  beforeEach(async () => {
    for (const table of [
      'permanent_password_queue',
      'permanent_password_handouts',
      'imports',
      'permanent_import_options',
      'permanent_users',
    ]) {
      await world.examgate.sequelize.query(`DELETE FROM ${table}`);
    }
  });

  /** anna, stored before the upload, with the password Old-Passw0rd. */
  const storedAnna = async () => {
    const now = new Date();
    await world.examgate.sequelize.query(
      `INSERT INTO permanent_users (id, platform_id, username, username_key, title, first_name, last_name, email, role, eligible,
         password_hash, password_pending, password_weak, must_change_password, created_at, updated_at)
       VALUES (:id, :platformId, 'anna', 'anna', 'Ms', 'Anna', 'Berg', 'anna@uni.example', 'Candidate', :yes, :hash, :no, :no, :no, :now, :now)`,
      { replacements: { id: randomUUID(), platformId, hash: annaHash, yes: true, no: false, now } },
    );
  };

  const matrix: Array<[string, string, Seen[], boolean]> = [
    ['add-new', 'none', [annaBefore, carl], false],
    [
      'add-all',
      'none',
      [annaBefore, { ...carl, username: 'anna2', first_name: 'Anne', last_name: null, email: 'anna@new.example', venue: 'Hall B' }, carl],
      false,
    ],
    ['add-update', 'none', [annaBefore, carl], false],
    ['add-update', 'override', [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B' }, carl], true],
    [
      'add-update',
      'override-defaults',
      [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B', role: 'Student', client_id: 'INST-1' }, carl],
      true,
    ],
    ['add-update', 'fill', [{ ...annaBefore, venue: 'Hall B', client_id: 'INST-1' }, carl], false],
    ['update-only', 'none', [annaBefore], false],
    ['update-only', 'override', [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B' }], true],
    [
      'update-only',
      'override-defaults',
      [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B', role: 'Student', client_id: 'INST-1' }],
      true,
    ],
    ['update-only', 'fill', [{ ...annaBefore, venue: 'Hall B', client_id: 'INST-1' }], false],
  ];
  for (const [uploadType, existingDetails, expected, annaNewPassword] of matrix) {
    it(`when the upload type is ${uploadType} with existing details "${existingDetails}", then exactly the expected users are stored`, async () => {
      await storedAnna();
      const preview = await previewBulk(world, cookie, FIXTURE, { uploadType, existingDetails, ...DEFAULTS });
      if (preview.text.includes('id="nothing-to-do"')) {
        expect(expected, 'only a file that changes nothing has nothing to import').to.deep.equal([annaBefore]);
      } else {
        expect((await commitBulk(world, cookie, preview)).status).to.equal(303);
      }

      const users = await usersOf(world, platformId);
      expect(users.map(seen)).to.deep.equal(expected);
      const anna = users.find((u) => u.username === 'anna')!;
      expect(Boolean(anna.password_pending), 'anna waits for a new hash exactly when the file replaced her password').to.equal(
        annaNewPassword,
      );
      expect(anna.password_hash === annaHash).to.equal(!annaNewPassword);
      for (const added of users.filter((u) => u.username !== 'anna')) {
        expect(Boolean(added.password_pending), `${added.username} waits for the hashing job`).to.equal(true);
        expect(added.password_hash).to.equal(null);
      }
    });
  }
});
