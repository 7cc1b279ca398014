export * from './checks.js';
export * from './evaluate.js';
export * from './acl.js';
export * from './drift.js';
export * from './addresses.js';
