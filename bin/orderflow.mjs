#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step), so `npx orderflow …` works.
import { register } from 'tsx/esm/api';

register();
await import('../ops/cli.ts');
