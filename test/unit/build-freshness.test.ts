import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildIsCurrent } from '../support/build-freshness.js';

describe('whether the production build is current (the production-build test reuses dist/ then)', () => {
  let root: string;
  /** Writes `file` under the tree with its modification time `minutes` after a fixed moment. */
  const put = (file: string, minutes: number) => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
    const at = new Date(Date.UTC(2026, 11, 1, 8, minutes));
    utimesSync(full, at, at);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'examgate-build-freshness-'));
    for (const settings of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
      put(settings, 0);
    }
    put('src/main.ts', 1);
    put('src/lti/login.ts', 2);
    put('examples/engine/server.ts', 1);
    put('examples/engine/unused.ts', 9);
    put('dist/src/main.js', 5);
    put('dist/src/lti/login.js', 5);
    put('dist/examples/engine/server.js', 5);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('when every source has an output at least as new, then the build is current (an example src/ never imports needs none)', () => {
    expect(buildIsCurrent(root)).to.equal(true);
  });

  it('when a source was edited after the build, then it is stale', () => {
    put('src/lti/login.ts', 6);
    expect(buildIsCurrent(root)).to.equal(false);
  });

  it('when an example that was built was edited after the build, then it is stale', () => {
    put('examples/engine/server.ts', 6);
    expect(buildIsCurrent(root)).to.equal(false);
  });

  it('when a source of src/ has no output yet, then it is stale', () => {
    put('src/lti/new-file.ts', 3);
    expect(buildIsCurrent(root)).to.equal(false);
  });

  it('when the build settings changed after the build, then it is stale', () => {
    put('tsconfig.build.json', 6);
    expect(buildIsCurrent(root)).to.equal(false);
  });

  it('when there is no dist/ at all, then it is stale', () => {
    rmSync(path.join(root, 'dist'), { recursive: true });
    expect(buildIsCurrent(root)).to.equal(false);
  });
});
