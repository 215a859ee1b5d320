import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const blobRoutes = new Hono<AppEnv>();
