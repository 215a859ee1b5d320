import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const batchRoutes = new Hono<AppEnv>();
