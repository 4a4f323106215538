import { LTI_PATHS } from '../lti/lti-provider.js';

/** The values an LMS administrator pastes into Canvas or Moodle. */
export interface ToolConfiguration {
  loginUrl: string;
  redirectUrl: string;
  targetLinkUrl: string;
  deepLinkingUrl: string;
  jwksUrl: string;
  dynamicRegistrationUrl: string;
}

export function toolConfiguration(publicUrl: string): ToolConfiguration {
  const launch = `${publicUrl}${LTI_PATHS.launch}`;
  return {
    loginUrl: `${publicUrl}${LTI_PATHS.login}`,
    redirectUrl: launch,
    targetLinkUrl: launch,
    deepLinkingUrl: launch,
    jwksUrl: `${publicUrl}${LTI_PATHS.keys}`,
    dynamicRegistrationUrl: `${publicUrl}${LTI_PATHS.register}`,
  };
}

export function describeToolConfiguration(config: ToolConfiguration): string {
  return [
    'Values for the LMS (Canvas developer key / Moodle external tool):',
    `  OpenID Connect login URL ...... ${config.loginUrl}`,
    `  Redirect / launch URL ......... ${config.redirectUrl}`,
    `  Target link URI ............... ${config.targetLinkUrl}`,
    `  Deep linking URL .............. ${config.deepLinkingUrl}`,
    `  Public keyset (JWKS) URL ...... ${config.jwksUrl}`,
    `  Dynamic registration URL ...... ${config.dynamicRegistrationUrl}/TOKEN: create one with \`npm run platform -- registration-url\` or on /admin`,
  ].join('\n');
}
