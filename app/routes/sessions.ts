import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const sessionRoutes = new Hono<AppEnv>();
