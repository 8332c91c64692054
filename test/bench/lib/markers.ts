// Pure parts of the virsh session: quoting arguments for virsh's own command parser, the marker
// commands that tell when a step has finished, and a buffer that splits a stream at markers.
//
// virsh reading commands from a pipe still goes through readline, which echoes every command
// line back on stdout after a `virsh # ` prompt. A marker is therefore printed by
// `echo "@@""M7@@"`: virsh's parser joins the two quoted pieces, so the output holds `@@M7@@`
// while the echoed command line holds `"@@""M7@@"`, which never matches. virsh's `echo` prints
// no newline in quiet mode, so markers are searched anywhere in the stream, not per line.

/** Quote one argument for virsh's shell-like parser (one argument stays one argument). */
export function virshQuote(arg: string): string {
  if (arg === '') return "''";
  if (/[\n\r\0]/.test(arg)) throw new Error(`virsh argument may not hold a newline or NUL: ${JSON.stringify(arg)}`);
  if (/^[A-Za-z0-9_.,:\/=@%+-]+$/.test(arg)) return arg;
  // Single quotes keep everything literal in virsh's parser except the quote itself.
  if (!arg.includes("'")) return `'${arg}'`;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

export function virshLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty virsh command');
  return argv.map(virshQuote).join(' ');
}

export const stdoutMarker = (n: number): string => `@@M${n}@@`;
export const stderrMarker = (n: number): string => `@@E${n}@@`;

/** The two commands that end step n: one marker on stdout, one on stderr. */
export function markerCommands(n: number): string[] {
  return [`echo "@@""M${n}@@"`, `echo --err "@@""E${n}@@"`];
}

/**
 * Accumulates one stream's text; `take(marker)` returns everything before the marker (and
 * drops it together with the marker) once the marker has arrived, else undefined.
 */
export class MarkerBuffer {
  private buf = '';
  private scanFrom = 0;

  push(chunk: string): void {
    this.buf += chunk;
  }

  take(marker: string): string | undefined {
    const at = this.buf.indexOf(marker, this.scanFrom);
    if (at < 0) {
      // Next search starts where a marker split across chunks could begin.
      this.scanFrom = Math.max(0, this.buf.length - marker.length + 1);
      return undefined;
    }
    const before = this.buf.slice(0, at);
    this.buf = this.buf.slice(at + marker.length);
    this.scanFrom = 0;
    return before;
  }

  get pending(): string {
    return this.buf;
  }
}

/**
 * What virsh wrote on stderr during a step, without the stderr marker's own line
 * (`error: @@E7@@`). Empty when every command of the step succeeded.
 */
export function stepErrors(stderrBeforeMarker: string): string {
  // The marker's line is `error: ` + marker: what precedes the marker ends with that prefix.
  return stderrBeforeMarker.replace(/error: $/, '').trim();
}

/** Lines of virsh output, without readline's echo of each command (`virsh # ...`) and blanks. */
export function outputLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('virsh #'));
}
