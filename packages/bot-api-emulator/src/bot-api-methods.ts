import { botSettingsMethods } from './bot-settings-methods.js';
import { editMethods } from './edit-methods.js';
import type { EmulatorContext, MethodSpec } from './emulator-context.js';
import { sendMethods } from './send-methods.js';
import { updateMethods } from './update-methods.js';

/** A method spec with its canonical name. */
export interface NamedMethod extends MethodSpec {
  name: string;
}

/**
 * Every emulated Bot API method, looked up case-insensitively because Telegram treats
 * `sendmessage` and `sendMessage` alike. A name missing here gets Telegram's 404.
 */
export function createMethodIndex(ctx: EmulatorContext): Map<string, NamedMethod> {
  const table = {
    ...updateMethods(ctx),
    ...sendMethods(ctx),
    ...editMethods(ctx),
    ...botSettingsMethods(ctx),
  };
  const index = new Map<string, NamedMethod>();
  for (const [name, spec] of Object.entries(table)) {
    index.set(name.toLowerCase(), { name, ...spec });
  }
  return index;
}
