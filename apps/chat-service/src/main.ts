// The chat-service process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { chatService } from './app';
import { readConfig } from './config';

runService(chatService, () => readConfig());
