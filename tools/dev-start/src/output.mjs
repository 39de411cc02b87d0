// Terminal output of the start command: its own messages, and every child's log lines with a
// coloured prefix ([chat] [gw-1] ...) so the interleaved logs of several processes stay readable.

const useColour = process.stdout.isTTY && !process.env.NO_COLOR && process.env.FORCE_COLOR !== '0';
const PALETTE = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];
let nextColour = 0;

function paint(code, text) {
  return useColour ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** A prefix like "[gw-1] " in a colour of its own, padded so the log columns line up. */
export function makePrefix(name, width = 8) {
  const colour = PALETTE[nextColour++ % PALETTE.length];
  return paint(colour, `[${name}]`.padEnd(width + 2)) + ' ';
}

export function info(message) {
  process.stdout.write(`${paint(1, '[dev-start]')} ${message}\n`);
}

export function warn(message) {
  process.stderr.write(`${paint(33, '[dev-start]')} ${message}\n`);
}

/** Something the developer must not miss: a service died, start-up failed. */
export function loud(message) {
  const bar = '!'.repeat(78);
  const lines = [bar, ...message.split('\n').map((l) => `!!! ${l}`), bar];
  process.stderr.write(paint('1;31', lines.join('\n')) + '\n');
}

export function bold(text) {
  return paint(1, text);
}

/**
 * Copies a stream to our stdout line by line with the prefix in front. A partial last line is
 * held until its newline arrives (or the stream ends) so two processes never share a line.
 */
export function pipeWithPrefix(stream, prefix, target = process.stdout) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) target.write(lines.map((l) => prefix + l).join('\n') + '\n');
  });
  stream.on('end', () => {
    if (pending) target.write(prefix + pending + '\n');
    pending = '';
  });
}
