import { loadSecretFile } from '../connector/key-file.js';

/**
 * Reads a token file (`--token-file`, `--admin-token-file`) as bytes: a secret file
 * (regular, mode 0600 or stricter, not empty), the token alone with surrounding whitespace ignored, at least 16
 * bytes. The error names the file and never quotes the token.
 */
export function readTokenFile(path: string): Promise<Buffer> {
  return loadSecretFile(path, 'token');
}
