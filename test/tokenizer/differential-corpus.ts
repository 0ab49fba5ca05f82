/**
 * A seeded differential corpus for the specialised tokenizer paths: prose, accents in
 * NFC and NFD, CJK, emoji and ZWJ sequences, control characters, lone
 * surrogates, URLs, literal special tokens, very long words and empty strings.
 */
import { mulberry32 } from "../../src/random.js";
import { WORDS } from "../fixtures/words.js";

const PROSE =
  "The quick brown fox jumps over the lazy dog . In 1998 , the company announced record profits of $ 3.5 billion " +
  "( up 12 % ) while critics warned that growth couldn't last . She said : \" We're unbelievably excited ! \" " +
  "Tokenization , normalization and embeddings were discussed at length ; researchers weren't convinced . " +
  "Antidisestablishmentarianism supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis";
const PROSE_WORDS = PROSE.split(" ");

const ACCENTED = ["café", "naïve", "résumé", "über", "Ångström", "São Paulo", "Zürich", "façade", "İstanbul", "ΟΔΟΣ", "Σίσυφος", "ǅemal", "ß", "ﬁne", "Ⅻ", "Ǆ"];
const CJK = ["日本語", "中文字符", "한국어", "カタカナ", "ひらがな", "𠀀𠀁", "豈更", "㐀㐁", "漢字テスト", "。、「」"];
const EMOJI = ["😀", "👨‍👩‍👧‍👦", "👍🏽", "🏳️‍🌈", "❤️", "🇯🇵", "✨", "🤖", "1️⃣", "©", "™"];
const CONTROLS = ["\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u00ad", "\u200b", "\u200d", "\u2028", "\ufeff", "\ufffd", "\t", "\n", "\r", "\v", "\f", "\u00a0", "\u3000", "\ue000", "\u{e0041}", "\u{f0000}", "\u{1d173}"];
const SURROGATES = ["\ud800", "\udc00", "\udbff", "\udfff", "\ud83d"];
const URLS = ["https://example.com/path?q=1&x=%20y#frag", "user@mail.example.org", "ftp://a.b/c_d-e.tar.gz", "www.wikipedia.org/wiki/Main_Page"];
const SPECIALS = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[cls]", "[CLS", "CLS]", "[[PAD]]", "[PAD][PAD]", "[MASK]ed"];
const PUNCT = [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "¡", "¿", "«", "»", "—", "–", "…", "‘", "’", "“", "”", "·", "§", "¶", "†", "‰", "‽", "⁂", "、", "。", "〈", "𐄀", "𝄞", "₿", "€", "£", "°", "±", "×", "÷"];
const COMBINING = ["\u0301", "\u0300", "\u0308", "\u0327", "\u20dd", "\u0903", "\u093f", "\u0488"];
const SCRIPTS = ["Привет мир", "مرحبا بالعالم", "שלום", "नमस्ते दुनिया", "สวัสดี", "Γειά σου Κόσμε", "ελληνικά", "Ёлка", "ǈǉǊ", "ⓐⓑ", "ＡＢＣ１２３", "𝐀𝐁𝐂", "𝕬𝖇"];

type Pick = <T>(items: readonly T[]) => T;

function nfdMaybe(random: () => number, text: string): string {
  const r = random();
  return r < 0.3 ? text.normalize("NFD") : r < 0.4 ? text.normalize("NFKD") : text;
}

function randomCase(random: () => number, word: string): string {
  const r = random();
  return r < 0.15 ? word.toUpperCase() : r < 0.35 ? word[0]!.toUpperCase() + word.slice(1) : word;
}

function randomChar(random: () => number): string {
  const r = random();
  if (r < 0.5) return String.fromCharCode(32 + Math.floor(random() * 95));
  if (r < 0.8) return String.fromCharCode(Math.floor(random() * 0x3000));
  if (r < 0.95) return String.fromCharCode(Math.floor(random() * 0x10000));
  return String.fromCodePoint(0x10000 + Math.floor(random() * 0x100000));
}

function fragment(random: () => number, pick: Pick): string {
  const r = random();
  if (r < 0.3) return randomCase(random, pick(PROSE_WORDS));
  if (r < 0.45) return randomCase(random, pick(WORDS));
  if (r < 0.52) return nfdMaybe(random, randomCase(random, pick(ACCENTED)));
  if (r < 0.57) return pick(CJK);
  if (r < 0.61) return pick(EMOJI);
  if (r < 0.65) return pick(CONTROLS);
  if (r < 0.67) return pick(SURROGATES);
  if (r < 0.7) return pick(URLS);
  if (r < 0.74) return pick(SPECIALS);
  if (r < 0.8) return pick(PUNCT);
  if (r < 0.83) return pick(WORDS) + pick(COMBINING);
  if (r < 0.86) return nfdMaybe(random, pick(SCRIPTS));
  if (r < 0.88) {
    // Very long words around max_input_chars_per_word (100), some with astral characters.
    const length = 90 + Math.floor(random() * 30);
    const unit = random() < 0.7 ? "ab" : random() < 0.5 ? "é" : "😀";
    return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  }
  if (r < 0.9) return String(Math.floor(random() * 1e9));
  let s = "";
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) s += randomChar(random);
  return s;
}

const SEPARATORS = [" ", " ", " ", " ", "", "  ", "\n", "\t", ", ", ". ", "-", "_", "\u00a0", "\u3000", "\r\n"];

/** `count` seeded inputs; every 50th is empty and a few are whole wikitext-like sentences. */
export function differentialCorpus(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const pick: Pick = (items) => items[Math.floor(random() * items.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 50 === 0) {
      out.push(i % 100 === 0 ? "" : pick(["", " ", "\n", "\u0000", "\ufffd", "[CLS]", "\u200b"]));
      continue;
    }
    const words = 1 + Math.floor(random() * (random() < 0.1 ? 60 : 12));
    let text = "";
    for (let w = 0; w < words; w++) text += (w === 0 ? "" : pick(SEPARATORS)) + fragment(random, pick);
    out.push(text);
  }
  return out;
}
