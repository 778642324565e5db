import 'reflect-metadata';
import { createProgram, run } from './cli.js';
import { COMMANDS } from './commands.js';

const program = createProgram();
for (const register of COMMANDS) register(program);
void run(program, process.argv.slice(2)).then((code) => process.exit(code));
