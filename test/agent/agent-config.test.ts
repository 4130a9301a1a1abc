import { describe, expect, it } from 'vitest';
import { checkAgentGuid, checkAgentUrl } from '../../src/agent/agent-config.js';

describe("an agent's URL and guid, checked before any socket is opened", () => {
  it.each([
    ['127.0.0.1:20443', /has no scheme: write wss:\/\/127\.0\.0\.1:20443/],
    ['node-1.example:8443', /has no scheme: write wss:\/\/node-1\.example:8443/],
    ['[::1]:8443', /has no scheme: write wss:\/\/\[::1\]:8443/],
    ['http://127.0.0.1:1', /write ws:\/\/127\.0\.0\.1:1$/],
    ['wss://user:secret@node:1', /^node:1: a URL with a user or password is refused/],
    ['ws://127.0.0.1:1/#x', /cannot have a #fragment/],
    ['ws://127.0.0.1:0', /port 0 cannot be connected to/],
    ['ftp://node', /expected ws:\/\/ or wss:\/\//],
    ['ws://192.0.2.1:1', /refusing plain ws:\/\//],
  ])('%s is refused, saying what to write', (url, message) => {
    expect(() => checkAgentUrl(url)).toThrow(message);
  });

  it('wss:// anywhere, ws:// to loopback (or anywhere with insecure) pass', () => {
    expect(checkAgentUrl('wss://node.example:8443').port).toBe('8443');
    expect(checkAgentUrl('ws://[::1]:8443').hostname).toBe('[::1]');
    expect(checkAgentUrl('ws://192.0.2.1:1', true).hostname).toBe('192.0.2.1');
  });

  it('a guid is 1 to 256 characters of well-formed Unicode', () => {
    expect(checkAgentGuid('web-01')).toBe('web-01');
    expect(() => checkAgentGuid('')).toThrow('the guid "" is empty');
    expect(() => checkAgentGuid('g'.repeat(257))).toThrow('has 257 characters');
    expect(() => checkAgentGuid('a\ud800')).toThrow('is not well-formed Unicode');
  });
});
