/**
 * The one answer to an accepted greeting (a sentry's hello): from then on both sides speak JSON-RPC.
 *
 * @module
 */
import { z } from 'zod';

/** The server's answer to an accepted hello. */
export const welcomeFrameSchema = z.object({
  /** Always `welcome`. */
  type: z.literal('welcome'),
});
/** A validated welcome frame. */
export type WelcomeFrame = z.output<typeof welcomeFrameSchema>;

/** The welcome frame's text, as sent. */
export const WELCOME_TEXT = JSON.stringify({ type: 'welcome' } satisfies WelcomeFrame);
