import { expect } from 'chai';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { platformCli } from '../support/platform-cli.js';
import { openRegistration, platformsOf, removePlatformsOf } from '../support/registration.js';

/** The text of an HTML fragment, entities undone (the few nunjucks writes). */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&#92;/g, '\\')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** A command line split as a POSIX shell splits it: blanks between words, '…' quoting, a backslash escaping one character. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 1;
    } else if (/\s/.test(ch)) {
      if (word !== null) {
        words.push(word);
      }
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  return word === null ? words : [...words, word];
}

describe('A launch held for approval: the page says which platform and deployment, and how an administrator approves it', function () {
  this.timeout(60_000);
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  it('when a new deployment is held, then the page names it and its platform, links the admin page, and its command approves it', async () => {
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    await world.examgate.platforms.setNewDeploymentPolicy(platform.id, 'hold', TEST_SETUP);
    const deploymentId = "course copy: it's 12";
    const launch = () => world.lms.launch(newBrowser(), { user: { sub: 'held-teacher' }, roles: [ROLE_INSTRUCTOR], deploymentId });
    try {
      const held = await launch();
      expect(held.status).to.equal(403);
      expect(held.body).to.contain('<h1>This deployment waits for approval</h1>');
      expect(held.body).to.contain(`<dd>${platform.name} (<code>${world.lms.issuer}</code>)</dd>`);
      expect(textOf(held.body)).to.contain(`Deployment ID${deploymentId}`);
      expect(held.body).to.contain(`<a href="${world.url}/admin#platform-${platform.id}" target="_blank" rel="noopener">`);
      expect(held.body).to.contain('Error code: <code>DEPLOYMENT_HELD</code>');
      const command = /<code>(npm run platform -- approve-deployment [^<]+)<\/code>/.exec(held.body)?.[1];
      expect(command, 'the approve command').to.be.a('string');
      const words = shellWords(textOf(command!));
      expect(words.slice(0, 4)).to.deep.equal(['npm', 'run', 'platform', '--']);
      expect(words.slice(4)).to.deep.equal(['approve-deployment', '--id', platform.id, '--deployment-id', deploymentId]);

      // What the administrator does with it: run the command as printed.
      const approved = await platformCli(world, words.slice(4));
      expect(approved.code, approved.stderr).to.equal(0);
      expect((await launch()).status).to.equal(200);
    } finally {
      await world.examgate.platforms.setNewDeploymentPolicy(platform.id, null, TEST_SETUP);
      await world.examgate.platforms.removeDeployment(platform.id, deploymentId, TEST_SETUP).catch(() => undefined);
    }
  });

  it('when the whole platform waits for approval, then the page names it, shows the admin address without a link to click, and the command', async () => {
    const lms = await SimulatedLms.start({ clientId: 'held-dynamic', deploymentId: 'held-deployment' });
    try {
      const tool = toolConfiguration(world.url);
      lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl });
      const page = await openRegistration(lms.registrationInitiationUrl((await world.examgate.registrationUrls.create()).url));
      expect(page.status, page.body).to.equal(200);
      const [platform] = await platformsOf(world, lms.issuer);
      const held = await lms.launch(newBrowser(), { user: { sub: 'held-student' } });
      expect(held.status).to.equal(403);
      expect(held.body).to.contain('<h1>This LMS waits for approval</h1>').and.contain('Error code: <code>PLATFORM_PENDING</code>');
      expect(held.body).to.contain(`<code>${world.url}/admin#platform-${platform!.id}</code>`);
      expect(held.body, 'nothing to click inside an LMS nobody approved').not.to.match(/<a [^>]*href="[^#]/);
      expect(held.body).to.contain(`<code>npm run platform -- approve --id ${platform!.id}</code>`);
      expect(held.body).to.contain('held-deployment');
      expect(held.headers.get('content-security-policy')).to.match(new RegExp(`frame-ancestors [^;]*${new URL(lms.issuer).origin}`));
    } finally {
      await removePlatformsOf(world, lms.issuer);
      await lms.close();
    }
  });
});
