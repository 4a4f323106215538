import type { Exam } from '../exams/exam.js';
import type { ImportKind } from '../imports/import-kind.js';
import { presentImportListing } from '../imports/import.presenter.js';
import type { ImportService } from '../imports/import.service.js';
import type { SsoSetups } from '../platforms/sso-setup.service.js';
import type { SsoTarget } from './sso-candidates.service.js';
import type { SsoRow } from './sso-row.schema.js';
import { ssoImportPath } from './sso-import.kind.js';

/** The candidates page's CSV import (SSO) section: the platform's auth types, and each one's latest imports. */
export async function presentSsoSection(
  deps: { ssoSetups: SsoSetups; imports: ImportService; ssoImport: ImportKind<SsoRow, SsoTarget> },
  exam: Exam,
  platformId: string,
  formatTime: (at: Date) => string,
) {
  const authTypes = await deps.ssoSetups.authTypesOf(platformId);
  const reports = await Promise.all(
    authTypes.map(async (authType) => {
      const target = { exam, platformId, authType };
      return (await deps.imports.reportsOf(deps.ssoImport, target, 3)).map((r) => ({
        ...presentImportListing(r, formatTime),
        href: `${ssoImportPath(target)}/imports/${r.id}`,
        authType: authType.label,
      }));
    }),
  );
  return { authTypes, reports: reports.flat() };
}
