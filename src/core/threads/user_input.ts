/**
 * Turns what a client sends into a turn (`UserInput[]`) into the one user message the model
 * gets, and into the `user_message` record the rollout keeps.
 *
 * Local images are read and sent inline as data URLs, because the provider cannot read the
 * user's disk. A file that cannot be used becomes a short text note instead of failing the
 * turn, so the model can tell the user what went wrong.
 *
 * @module
 */

import { extname, isAbsolute, resolve } from "node:path";
import type { RawItem } from "../model/events.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";

/** Largest local image sent inline; bigger files are described instead of sent. */
export const MAX_LOCAL_IMAGE_BYTES = 20 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};

/** The model's view of one user input, plus what the rollout records about it. */
export interface PreparedInput {
  message: RawItem;
  /** The text parts joined, for previews and the rollout's `message`. */
  text: string;
  /** Remote image URLs. */
  images: string[];
  /** Local image paths as given. */
  localImages: string[];
}

/** Base64 through the runtime's built-in encoder (TC39 `Uint8Array.prototype.toBase64`). */
function toBase64(bytes: Uint8Array): string {
  return (bytes as Uint8Array & { toBase64(): string }).toBase64();
}

/** One local image as model input: a data URL, or a note saying why it could not be sent. */
export async function localImagePart(path: string, cwd: string): Promise<Record<string, unknown>> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  const mime = IMAGE_TYPES[extname(full).toLowerCase()];
  const note = (why: string) => ({ type: "input_text", text: `[image ${path}: ${why}]` });
  if (!mime) return note("not a supported image type (png, jpeg, gif, webp)");
  try {
    const info = await Deno.stat(full);
    if (!info.isFile) return note("not a file");
    if (info.size > MAX_LOCAL_IMAGE_BYTES) {
      return note(`too large to send (${info.size} bytes, limit ${MAX_LOCAL_IMAGE_BYTES})`);
    }
    const bytes = await Deno.readFile(full);
    return { type: "input_image", image_url: `data:${mime};base64,${toBase64(bytes)}` };
  } catch (error) {
    return note(`could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Builds the user message for `input`; paths are relative to `cwd`. */
export async function prepareInput(input: UserInput[], cwd: string): Promise<PreparedInput> {
  const content: Record<string, unknown>[] = [];
  const texts: string[] = [];
  const images: string[] = [];
  const localImages: string[] = [];
  for (const part of input) {
    switch (part.type) {
      case "text":
        content.push({ type: "input_text", text: part.text });
        texts.push(part.text);
        break;
      case "image":
        content.push({ type: "input_image", image_url: part.url });
        images.push(part.url);
        break;
      case "localImage":
        content.push(await localImagePart(part.path, cwd));
        localImages.push(part.path);
        break;
      case "skill":
      case "mention":
        // The model gets a pointer it can follow with its tools; nothing is inlined.
        content.push({
          type: "input_text",
          text: `[${part.type} ${part.name}: ${part.path}]`,
        });
        break;
    }
  }
  return {
    message: { type: "message", role: "user", content },
    text: texts.join("\n"),
    images,
    localImages,
  };
}
