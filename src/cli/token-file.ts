import { readSecretText } from '../runtime/read-file.js';

/** The shortest token accepted (16 characters): an administrator or cluster token must not be guessable. */
const MIN_TOKEN_CHARS = 16;

/**
 * Reads a token file (`--token-file`, `--admin-token-file`, `--cluster-token-file`): the token alone, surrounding
 * whitespace ignored, at least 16 characters. A secret file (`readSecretFile`: regular, mode 0600 or stricter,
 * not empty); the error names the file and never quotes the token.
 */
export function readTokenFile(path: string): Promise<string> {
  return readSecretText(path, 'token file', { secret: 'token', minChars: MIN_TOKEN_CHARS });
}
