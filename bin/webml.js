#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx webml` (or bin/webml.js) needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../app/client/cli/main.ts');
