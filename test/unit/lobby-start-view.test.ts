import { expect } from 'chai';
import { looksFramed, startView, type LobbyState } from '../../src/access/lobby.js';

describe('the lobby’s Start button, in a frame and in a window of its own', () => {
  it('when the browser says the lobby is a document or a frame, then that is believed; when it says nothing, it counts as framed', () => {
    expect(looksFramed('iframe')).to.equal(true);
    expect(looksFramed('frame')).to.equal(true);
    expect(looksFramed('document')).to.equal(false);
    // Older browsers send no Sec-Fetch-Dest: leaving the frame is the safe side (the script corrects it).
    expect(looksFramed(undefined)).to.equal(true);
  });

  it('when examgate runs in a frame, then Start opens a new tab or the whole window as the test says, never the frame', () => {
    expect(startView('open', 'new_tab', true)).to.deep.equal({ target: '_blank', label: 'Start', inAnotherTab: false });
    expect(startView('open', 'whole_window', true)).to.deep.equal({ target: '_top', label: 'Start', inAnotherTab: false });
  });

  it('when examgate has a window of its own, then the test opens in it, whatever the setting', () => {
    for (const openIn of ['new_tab', 'whole_window'] as const) {
      expect(startView('open', openIn, false)).to.deep.equal({ target: null, label: 'Start', inAnotherTab: false });
      expect(startView('started', openIn, false)).to.deep.equal({ target: null, label: 'Continue', inAnotherTab: false });
      expect(startView('handed_off', openIn, false)).to.deep.equal({ target: null, label: 'Start', inAnotherTab: false });
    }
  });

  it('when the test went to a new tab from the frame, then the page says so and offers to reopen it, handed off or started', () => {
    for (const state of ['handed_off', 'started'] as LobbyState[]) {
      expect(startView(state, 'new_tab', true)).to.deep.equal({ target: '_blank', label: 'Reopen the test', inAnotherTab: true });
    }
    expect(startView('started', 'whole_window', true)).to.deep.equal({ target: '_top', label: 'Continue', inAnotherTab: false });
    expect(startView('handed_off', 'whole_window', true)).to.deep.equal({ target: '_top', label: 'Start', inAnotherTab: false });
  });
});
