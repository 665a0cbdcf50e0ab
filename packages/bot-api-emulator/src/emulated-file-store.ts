import { randomBytes } from 'node:crypto';
import { apiErrors } from './bot-api-error.js';
import type { UploadedFile } from './request-body.js';
import type {
  Animation,
  Audio,
  Document,
  File,
  MediaKind,
  PhotoSize,
  Sticker,
  Video,
  VideoNote,
  Voice,
} from './telegram-types.js';

/** The Telegram object a message holds for each media kind (a photo is a list of sizes). */
export interface MediaObjects {
  photo: PhotoSize[];
  sticker: Sticker;
  voice: Voice;
  document: Document;
  video: Video;
  audio: Audio;
  animation: Animation;
  video_note: VideoNote;
}

/** Optional details for generated media; anything left out gets a plausible default. */
export interface MediaHints {
  fileName?: string;
  mimeType?: string;
  fileSize?: number;
  duration?: number;
  emoji?: string;
  title?: string;
  performer?: string;
  data?: Buffer;
}

interface StoredFile {
  kind: MediaKind;
  media: MediaObjects[MediaKind];
  file: File;
  data?: Buffer;
}

/** Real file ids start with a type marker; keeping it makes ids look (and sort) like Telegram's. */
const ID_PREFIX: Record<MediaKind, string> = {
  photo: 'AgACAgIAAxkBAAI',
  sticker: 'CAACAgIAAxkBAAI',
  voice: 'AwACAgIAAxkBAAI',
  document: 'BQACAgIAAxkBAAI',
  video: 'BAACAgIAAxkBAAI',
  audio: 'CQACAgIAAxkBAAI',
  animation: 'CgACAgIAAxkBAAI',
  video_note: 'DQACAgIAAxkBAAI',
};

const FOLDER: Record<MediaKind, [string, string]> = {
  photo: ['photos', 'jpg'],
  sticker: ['stickers', 'webp'],
  voice: ['voice', 'oga'],
  document: ['documents', 'pdf'],
  video: ['videos', 'mp4'],
  audio: ['music', 'mp3'],
  animation: ['animations', 'mp4'],
  video_note: ['video_notes', 'mp4'],
};

/**
 * Every file the emulated Telegram knows: generated for simulated users, uploaded by the bot,
 * or "downloaded" from a URL. Sending by `file_id` only works for ids that exist here, and
 * only for the same kind of media, as with the real server.
 */
export class EmulatedFileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  /** Creates a new file of the given kind and returns the object a message would hold. */
  create<K extends MediaKind>(kind: K, hints: MediaHints = {}): MediaObjects[K] {
    const size = hints.fileSize ?? hints.data?.length ?? 10_000 + ((this.counter * 7919) % 90_000);
    const [fileId, uniqueId] = this.ids(kind);
    const base = { file_id: fileId, file_unique_id: uniqueId, file_size: size };
    const duration = hints.duration ?? 3;
    let media: MediaObjects[MediaKind];
    switch (kind) {
      case 'photo':
        media = this.photoSizes(size);
        break;
      case 'sticker':
        media = {
          ...base,
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji: hints.emoji ?? '🙂',
          set_name: 'EmulatedStickers',
        };
        break;
      case 'voice':
        media = { ...base, duration, mime_type: hints.mimeType ?? 'audio/ogg' };
        break;
      case 'video_note':
        media = { ...base, length: 240, duration };
        break;
      case 'video':
      case 'animation':
        media = {
          ...base,
          width: 640,
          height: 360,
          duration,
          file_name: hints.fileName ?? `${kind}.mp4`,
          mime_type: hints.mimeType ?? 'video/mp4',
        };
        break;
      case 'audio':
        media = {
          ...base,
          duration,
          file_name: hints.fileName ?? 'audio.mp3',
          mime_type: hints.mimeType ?? 'audio/mpeg',
          ...(hints.title ? { title: hints.title } : {}),
          ...(hints.performer ? { performer: hints.performer } : {}),
        };
        break;
      default:
        media = {
          ...base,
          file_name: hints.fileName ?? 'document.pdf',
          mime_type: hints.mimeType ?? 'application/pdf',
        };
    }
    const [folder, extension] = FOLDER[kind];
    const stored: StoredFile = {
      kind,
      media,
      file: { ...base, file_path: `${folder}/file_${this.counter}.${extension}` },
    };
    if (hints.data) stored.data = hints.data;
    const ids = kind === 'photo' ? (media as PhotoSize[]).map((size) => size.file_id) : [fileId];
    for (const id of ids) this.byId.set(id, stored);
    this.byPath.set(stored.file.file_path!, stored);
    return media as MediaObjects[K];
  }

  /**
   * Resolves the media argument of a send method: `attach://<part>` or an upload under the
   * field's own name, an http(s) URL (pretend-downloaded), or an existing `file_id`.
   */
  resolve<K extends MediaKind>(
    kind: K,
    value: unknown,
    uploads: Map<string, UploadedFile>,
  ): MediaObjects[K] {
    const upload =
      typeof value === 'string' && value.startsWith('attach://')
        ? uploads.get(value.slice('attach://'.length))
        : value === undefined
          ? uploads.get(kind)
          : undefined;
    if (upload) return this.create(kind, { fileName: upload.fileName, data: upload.data });
    if (value === undefined || value === '')
      throw apiErrors.badRequest(`there is no ${kind} in the request`);
    if (typeof value !== 'string') throw apiErrors.wrongFileId();
    if (/^https?:\/\//i.test(value))
      return this.create(kind, { fileName: value.split('/').pop() || undefined });
    const stored = this.byId.get(value);
    if (!stored) throw apiErrors.wrongFileId();
    if (stored.kind !== kind) throw apiErrors.fileTypeMismatch();
    return stored.media as MediaObjects[K];
  }

  /** `getFile`: file metadata with a path for `/file/bot<token>/<path>`. */
  getFile(fileId: string): File {
    const stored = this.byId.get(fileId);
    if (!stored) throw apiErrors.badRequest('invalid file_id');
    return { ...stored.file, file_id: fileId };
  }

  /** The bytes behind a file path: the upload itself, or deterministic filler for generated files. */
  contents(path: string): Buffer | undefined {
    const stored = this.byPath.get(path);
    if (!stored) return undefined;
    return stored.data ?? Buffer.alloc(Math.min(stored.file.file_size ?? 0, 1 << 20), 0x5a);
  }

  private photoSizes(size: number): PhotoSize[] {
    // Telegram returns several scaled copies, smallest first; bots usually take the last one.
    return [90, 320, 800, 1280].map((width, index) => {
      const [fileId, uniqueId] = this.ids('photo');
      return {
        file_id: fileId,
        file_unique_id: uniqueId,
        file_size: Math.max(1, Math.round((size * (index + 1)) / 4)),
        width,
        height: Math.round((width * 3) / 4),
      };
    });
  }

  private ids(kind: MediaKind): [string, string] {
    this.counter += 1;
    const counter = Buffer.alloc(6);
    counter.writeUIntBE(this.counter, 0, 6);
    const random = randomBytes(24);
    const fileId = ID_PREFIX[kind] + Buffer.concat([counter, random]).toString('base64url');
    const uniqueId = 'AQAD' + Buffer.concat([counter, random.subarray(0, 4)]).toString('base64url');
    return [fileId, uniqueId];
  }
}
