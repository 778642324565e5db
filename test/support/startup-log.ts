/**
 * A child process's output, kept chunk by chunk, and searched for a line only until that line first
 * appears. Each byte is searched once: a child that logs for minutes (a bench's SCS writes an access
 * line per request) costs its parent nothing more per chunk than keeping it. Searching the whole
 * output again for every chunk had made the parent's work grow with everything logged so far, on the
 * cores the child and PostgreSQL were being measured on.
 */
export class StartupLog {
  /** Everything received, in order. */
  readonly chunks: string[] = [];
  /** How many characters the search has read (for the test of the above). */
  searched = 0;
  /** Text after the last line end not yet known to hold no match (a match is within one line). */
  private pending = '';
  private found = false;

  constructor(private readonly line: RegExp) {}

  /** Keeps `text`; the match when it completes the line looked for, else undefined (always, after that). */
  push(text: string): RegExpExecArray | undefined {
    this.chunks.push(text);
    if (this.found) return undefined;
    this.pending += text;
    this.searched += this.pending.length;
    const match = this.line.exec(this.pending);
    if (match) {
      this.found = true;
      this.pending = '';
      return match;
    }
    this.pending = this.pending.slice(this.pending.lastIndexOf('\n') + 1);
    return undefined;
  }
}
