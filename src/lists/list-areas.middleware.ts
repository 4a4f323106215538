import type { Response } from 'express';
import { adminOf, type InstitutionAdmin, type InstitutionSession } from '../admins/institution-session.middleware.js';
import type { SecretKeys } from '../config.js';
import { auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import type { LaunchContext } from '../lti/launch-context.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import type { ListViewer } from './list.js';
import type { ListArea } from './list-area.pages.js';
import { launchName, type StaffDirectory } from './staff-directory.js';

export const INSTRUCTOR_LISTS_PATH = '/app/lists';
export const INSTITUTION_LISTS_PATH = '/institution/lists';

/** An instructor's launch as a list viewer: their LTI user on the launch's platform. */
export function instructorViewer(launch: LaunchContext): ListViewer {
  return { platformId: launch.platformId, kind: 'lms-user', ref: launch.user.sub, name: launchName(launch), isAdmin: false };
}

/** An institution admin: their admin account, or the LMS administrator of a launch (by `sub`). */
export function institutionViewer(admin: InstitutionAdmin): ListViewer {
  return admin.account
    ? { platformId: admin.platformId, kind: 'admin-account', ref: admin.account.id, name: admin.account.username, isAdmin: true }
    : {
        platformId: admin.platformId,
        kind: 'lms-user',
        ref: admin.by.actor.kind === 'lms-user' ? admin.by.actor.sub : admin.idHash,
        name: admin.signedIn.name,
        isAdmin: true,
      };
}

/**
 * The instructor's lists under their launch session (staff only, mounted inside /app). Opening the lists also
 * records the instructor as staff seen on the platform, so colleagues can share with them.
 */
export function instructorListArea(secret: SecretKeys, staff: StaffDirectory): ListArea {
  const seen = asyncHandler(async (req, res, next) => {
    if (req.method === 'GET' && req.path === '/') {
      await staff.saw(launchOf(res));
    }
    next();
  });
  return {
    base: INSTRUCTOR_LISTS_PATH,
    // Mounted inside /app, whose router has resumed the launch session already.
    guard: [requireStaff, seen],
    csrf: verifyCsrf(secret),
    viewerOf: (res: Response) => instructorViewer(launchOf(res)),
    byOf: (res: Response) => auditByOf(launchOf(res)),
    csrfOf: (res: Response) => csrfOf(res, secret),
    root: [{ href: '/app/exams', text: 'Tests' }],
    locals: () => ({}),
  };
}

/** The platform's lists in the institution admin area: an admin sees and may change every list of their platform. */
export function institutionListArea(session: InstitutionSession): ListArea {
  return {
    base: INSTITUTION_LISTS_PATH,
    guard: [session.require],
    csrf: session.csrf,
    viewerOf: (res: Response) => institutionViewer(adminOf(res)),
    byOf: (res: Response) => adminOf(res).by,
    csrfOf: (res: Response) => session.csrfToken(res),
    root: [{ href: '/institution/users', text: 'Institution administration' }],
    locals: (res: Response) => ({ institution: adminOf(res) }),
  };
}
