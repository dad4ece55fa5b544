/**
 * What a user can send into a turn: text (with UI element ranges), images, skills and mentions.
 *
 * @module
 */

import { z } from "zod";
import { uint } from "./common.ts";

export const ByteRange = z.object({
  end: uint(),
  start: uint(),
}).meta({ id: "ByteRange" });
export type ByteRange = z.infer<typeof ByteRange>;

export const TextElement = z.object({
  byteRange: ByteRange,
  placeholder: z.string().nullish(),
}).meta({ id: "TextElement" });
export type TextElement = z.infer<typeof TextElement>;

export const UserInput = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    text_elements: z.array(TextElement).default([]),
    type: z.literal("text"),
  }),
  z.object({
    type: z.literal("image"),
    url: z.string(),
  }),
  z.object({
    path: z.string(),
    type: z.literal("localImage"),
  }),
  z.object({
    name: z.string(),
    path: z.string(),
    type: z.literal("skill"),
  }),
  z.object({
    name: z.string(),
    path: z.string(),
    type: z.literal("mention"),
  }),
]).meta({ id: "UserInput" });
export type UserInput = z.infer<typeof UserInput>;
