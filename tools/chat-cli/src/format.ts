import type { ServerFrame } from '@relay/contracts';

/** Where a printed line goes: chat content to stdout, status and problems to stderr. */
export interface Line {
  stream: 'out' | 'err';
  text: string;
}

/** One line per server frame worth showing; undefined for frames a terminal user does not need. */
export function formatFrame(frame: ServerFrame): Line | undefined {
  switch (frame.type) {
    case 'message':
      return { stream: 'out', text: `[${frame.room}] ${frame.from}: ${frame.text}` };
    case 'member':
      return { stream: 'out', text: `[${frame.room}] * ${frame.user} ${frame.event === 'join' ? 'joined' : 'left'}` };
    case 'notification': {
      const from = frame.from ? ` from ${frame.from}` : '';
      const where = frame.room ? ` in [${frame.room}]` : '';
      return { stream: 'out', text: `! ${frame.kind}${from}${where}: ${frame.text}` };
    }
    case 'error':
      return { stream: 'err', text: `error ${frame.code}: ${frame.message}` };
    case 'welcome':
      return { stream: 'err', text: `connected to ${frame.gateway} as ${frame.user}` };
    case 'presence':
      return { stream: 'out', text: `[${frame.room}] here: ${frame.users.length ? frame.users.join(', ') : '(nobody)'}` };
    default:
      return undefined;
  }
}
