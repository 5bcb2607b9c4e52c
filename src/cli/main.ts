import { Command, Option } from 'commander';
import { registerClvCommand } from './clv-command.js';
import { registerImportCommand } from './import-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerJourneyCommand } from './journey-command.js';
import { registerSegmentCommand } from './segment-command.js';

// A closed pipe (`orkestra serve | head`) is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** The `orkestra` command. */
const program = new Command('orkestra')
  .description('Orkestra: cross-channel customer engagement, Segment-compatible')
  .version('0.1.0')
  .addOption(new Option('--quiet', 'print less').hideHelp());
registerServeCommand(program);
registerClvCommand(program);
registerImportCommand(program);
registerJourneyCommand(program);
registerSegmentCommand(program);
await program.parseAsync(process.argv);
