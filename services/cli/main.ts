/** Entry point of the `runwatch` binary (bin/runwatch.js). */
import { buildCli } from './program.js';

await buildCli().parseAsync(process.argv);
