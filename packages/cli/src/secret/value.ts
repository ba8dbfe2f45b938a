// Where a secret value comes from: a file, or stdin — never the command line, where `ps` and
// shell history would show it. On a terminal the value is typed without echo.
import { readFileSync } from 'node:fs';

/** All of a non-terminal stdin; one trailing newline dropped (`echo s3cret | wharf secret set ...`). */
async function readPipe(stdin: NodeJS.ReadStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  const all = Buffer.concat(chunks);
  const end = all.length - (all.at(-1) === 0x0a ? (all.at(-2) === 0x0d ? 2 : 1) : 0);
  return all.subarray(0, end);
}

/** One line typed on the terminal, not echoed. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<Buffer> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(Buffer.from(typed, 'utf8')));
        if (ch === '\u0003') return done(() => reject(new Error('interrupted')));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    const done = (then: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}

/** The value of `wharf secret set`: the file's exact bytes, else stdin. */
export async function secretValue(
  key: string,
  file: string | undefined,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<Buffer> {
  if (file) return readFileSync(file);
  if (stdin.isTTY) return readHidden(stdin, `value of ${key} (not shown): `);
  return readPipe(stdin);
}
