import type { Command } from 'commander';
import { register as access } from './access.js';
import { register as audit } from './audit.js';
import { register as demo } from './demo.js';
import { register as drill } from './drill.js';
import { register as flows } from './flows.js';
import { register as hunt } from './hunt.js';
import { register as intel } from './intel.js';
import { register as parse } from './parse.js';
import { register as report } from './report.js';
import { register as rules } from './rules.js';
import { register as serve } from './serve.js';
import { register as token } from './token.js';

/**
 * Every subcommand registers itself here: one file per subcommand in src/cli/, each exporting
 * `register(program)`. Add your import and list entry; keep the list sorted.
 */
export const commands: ((program: Command) => void)[] = [access, audit, demo, drill, flows, hunt, intel, parse, report, rules, serve, token];
