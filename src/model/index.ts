export * from './severity.js';
export * from './event.js';
export * from './alert.js';
export * from './incident.js';
export * from './flow.js';
export * from './access.js';
export * from './indicator.js';
export * from './config.js';
