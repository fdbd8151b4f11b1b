/** Where a command's lines go: stdout and stderr, or a test's arrays. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
