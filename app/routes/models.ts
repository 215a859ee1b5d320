import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const modelRoutes = new Hono<AppEnv>();
