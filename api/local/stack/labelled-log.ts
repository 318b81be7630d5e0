/**
 * Labelled log lines for the processes of the local stack: `12:00:01 functions │ text`, every
 * line of a multi-line message labelled, one colour per label when the output is a terminal
 * (and `NO_COLOR` is not set).
 */

export type LogLine = (text: string) => void;

export interface LabelledLogOptions {
  /** Where finished lines go. Default: standard output. */
  write?: (chunk: string) => void;
  /** Default: standard output is a terminal and `NO_COLOR` is unset. */
  color?: boolean;
}

const LABEL_WIDTH = 9;
const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93];

export class LabelledLog {
  readonly #write: (chunk: string) => void;
  readonly #color: boolean;
  readonly #colors = new Map<string, number>();

  constructor(options: LabelledLogOptions = {}) {
    this.#write = options.write ?? ((chunk) => process.stdout.write(chunk));
    this.#color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  }

  /** A writer of lines under `label`. */
  for(label: string): LogLine {
    return (text) => this.#write(this.#format(label, text));
  }

  #format(label: string, text: string): string {
    const time = new Date().toTimeString().slice(0, 8);
    const prefix = `${time} ${this.#paint(label, label.padEnd(LABEL_WIDTH))} │ `;
    return text.replace(/\s+$/, '').split(/\r?\n/).map((line) => prefix + line + '\n').join('');
  }

  #paint(label: string, text: string): string {
    if (!this.#color) return text;
    let code = this.#colors.get(label);
    if (code === undefined) {
      code = PALETTE[this.#colors.size % PALETTE.length];
      this.#colors.set(label, code);
    }
    return `\u001b[${code}m${text}\u001b[0m`;
  }
}
