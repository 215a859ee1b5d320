import { Hono } from 'hono';
import type { AppEnv } from '../env.js';

export const datasetRoutes = new Hono<AppEnv>();
