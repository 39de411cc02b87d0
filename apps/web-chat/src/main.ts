import { RelayClient } from '@relay/client';
import { fetchDevToken } from './auth';
import { ChatController } from './chat-controller';
import { readPageConfig } from './page-config';
import { renderConnection } from './ui/connection-view';
import { byTestId } from './ui/dom';
import { MessagesView } from './ui/messages-view';
import { renderNotifications, toast } from './ui/notifications-view';
import { renderPresence } from './ui/presence-view';
import { renderRooms } from './ui/rooms-view';

const NAME_KEY = 'relay.user';
const config = readPageConfig(window.location);
let user = '';
let client: RelayClient | undefined;

const controller = new ChatController({ changed: scheduleRender, toast });
const messages = new MessagesView(
  () => user,
  () => {
    if (controller.state.activeRoom) void controller.loadOlder(controller.state.activeRoom);
  },
);

let renderQueued = false;
/** Coalesces the many changes of a burst (a replay of 100 messages) into one render. */
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    render();
  }, 0);
}

function render(): void {
  const state = controller.state;
  const active = state.activeRoom ? state.rooms.get(state.activeRoom) : undefined;
  renderRooms(state, { select: (r) => controller.select(r), leave: (r) => void controller.leave(r) });
  messages.render(active, active ? controller.isLoadingOlder(active.name) : false);
  messages.renderTyping(active, Date.now());
  renderPresence(active, user);
  renderNotifications(state.notifications);
  byTestId<HTMLInputElement>('composer-input').disabled = !active;
}

async function signIn(name: string, firstRoom: string): Promise<void> {
  const error = byTestId('login-error');
  error.textContent = '';
  let token = await fetchDevToken(config.authOrigins, name);
  user = name;
  sessionStorage.setItem(NAME_KEY, name);
  byTestId('me').textContent = name;
  byTestId('login').hidden = true;
  byTestId('chat').hidden = false;
  client = new RelayClient({
    url: config.gateways,
    // Asked again on every reconnect: the old token may have expired; any reachable gateway can issue a new one.
    token: async ({ reason }) => {
      if (reason !== 'connect') token = await fetchDevToken(config.authOrigins, name).catch(() => token);
      return token;
    },
  });
  client.on('state', renderConnection);
  controller.attach(client);
  client.connect().catch(() => undefined); // rejects only when signed out
  if (firstRoom) void controller.join(firstRoom);
}

function signOut(): void {
  void client?.close();
  sessionStorage.removeItem(NAME_KEY);
  window.location.reload();
}

function wireForms(): void {
  byTestId<HTMLFormElement>('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = byTestId<HTMLInputElement>('login-name').value.trim();
    const room = byTestId<HTMLInputElement>('login-room').value.trim();
    signIn(name, room).catch((err: Error) => {
      byTestId('login-error').textContent = err.message;
    });
  });
  byTestId<HTMLFormElement>('join-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = byTestId<HTMLInputElement>('join-room-input');
    const room = input.value.trim();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(room)) {
      toast('room names use letters, digits, "_" and "-" (1 to 64)', 'error');
      return;
    }
    input.value = '';
    void controller.join(room);
  });
  const composer = byTestId<HTMLInputElement>('composer-input');
  composer.addEventListener('input', () => controller.typing());
  byTestId<HTMLFormElement>('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    controller.send(composer.value);
    composer.value = '';
  });
  byTestId('load-older').addEventListener('click', () => {
    if (controller.state.activeRoom) void controller.loadOlder(controller.state.activeRoom);
  });
  byTestId('sign-out').addEventListener('click', signOut);
  // "alice is typing" expires on its own: re-check once a second.
  setInterval(() => {
    const state = controller.state;
    messages.renderTyping(state.activeRoom ? state.rooms.get(state.activeRoom) : undefined, Date.now());
  }, 500);
}

wireForms();
renderConnection({ state: 'idle', attempt: 0 });
const remembered = sessionStorage.getItem(NAME_KEY);
if (remembered) {
  byTestId<HTMLInputElement>('login-name').value = remembered;
  signIn(remembered, byTestId<HTMLInputElement>('login-room').value.trim()).catch((err: Error) => {
    byTestId('login-error').textContent = err.message;
  });
}
