/**
 * zod as this extension uses it: the functional API of `zod/mini` (zod's own checks and
 * messages at a fraction of its classic API's size in the bundles), with the English messages
 * that mini leaves out unless configured. Every schema imports zod from here
 * (`import * as z from './zod'`), so that the messages, which name a bad field in the log and on
 * flagged records, are set before anything is checked. Only named imports, never the namespace
 * as a value: the bundles keep just what is used.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
