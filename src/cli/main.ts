import { Command, Option } from 'commander';
import { registerClvCommand } from './clv-command.js';
import { registerServeCommand } from './serve-command.js';

/** The `orkestra` command. */
const program = new Command('orkestra')
  .description('Orkestra: cross-channel customer engagement, Segment-compatible')
  .version('0.1.0')
  .addOption(new Option('--quiet', 'print less').hideHelp());
registerServeCommand(program);
registerClvCommand(program);
await program.parseAsync(process.argv);
