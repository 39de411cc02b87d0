import type { ClientFrame, ClientFrameType } from '@relay/contracts';
import { handleAck } from './ack';
import { handleAuth } from './auth';
import type { FrameHandler } from './context';
import { handleHistory } from './history';
import { handleJoin } from './join';
import { handleLeave } from './leave';
import { handlePing } from './ping';
import { handlePresence } from './presence';
import { handleSend } from './send';
import { handleTyping } from './typing';

type HandlerTable = { [K in ClientFrameType]: FrameHandler<Extract<ClientFrame, { type: K }>> };

/** One handler per client frame type; the type system keeps the table complete. */
export const FRAME_HANDLERS: HandlerTable = {
  join: handleJoin,
  leave: handleLeave,
  send: handleSend,
  history: handleHistory,
  presence: handlePresence,
  typing: handleTyping,
  ping: handlePing,
  auth: handleAuth,
  ack: handleAck,
};

export type { FrameHandler, GatewayContext, RequestScope } from './context';
