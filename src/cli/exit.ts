/** Exit codes scripts rely on (docs/CLI.md). Detection commands: 0 nothing found, 1 found, 2 usage/input/rule error. */
export const EXIT_OK = 0;
export const EXIT_FOUND = 1;
export const EXIT_ERROR = 2;

/** An error that the CLI prints as `tidewatch: message` and exits with code 2. */
export class UsageError extends Error {}
