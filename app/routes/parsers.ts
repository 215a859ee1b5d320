import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const parserRoutes = new Hono<AppEnv>();
