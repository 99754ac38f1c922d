#!/usr/bin/env python3
"""Reference data for videollama.model.tokenizer.SentencePieceTokenizer, made with the REAL sentencepiece library.

Run from the repository root with a Python that has `sentencepiece` and `protobuf`:

    python scripts/reference/make_tokenizer_cases.py [OUT_DIR]

OUT_DIR defaults to model/src/test/resources/tokenizer. It writes

* cases-llama.json       for testdata/tokenizer/tokenizer.model (LLaMA / LLaMA-2, 32000 pieces)
* cases-stories260K.json for models/stories260K/tokenizer.model (512 pieces; byte fallback is used a lot)
* variant-*.model        stories260K's model with one thing changed (no byte fallback, user-defined and unused
                         pieces, remove_extra_whitespaces, no dummy prefix, no whitespace escaping), and a made-up
                         model full of equal scores ("ties"), to exercise the rarer paths of the encoder and decoder
* cases-variants.json    cases for those variants

Each cases file is {"model": path, "cases": [...], "hf": [...], "decode": [...]}:

* "cases":  {"text", "ids" = SentencePieceProcessor.encode(text), "decoded" = decode(ids), left out where it equals
            the text}
* "hf":     {"text", "ids"} for the HF transformers 4.28 *slow* LlamaTokenizer (the one Video-LLaMA uses), without
            BOS. That tokenizer's tokenize() first splits the text on its special tokens (bos "<s>", eos "</s>",
            unk "<unk>": the surface strings of the CONTROL and UNKNOWN pieces) with tokens_trie.split (leftmost,
            longest match); the special tokens are AddedToken(lstrip=False, rstrip=False), so no whitespace around them
            is stripped; each special token becomes its id and each non-empty chunk between them is encoded on its own
            with sp_model.encode (so each chunk gets its own dummy-prefix "▁"). The expected ids here are produced by
            applying exactly that rule with the real sentencepiece per chunk (transformers itself is not needed).
* "decode": {"ids", "text" = decode(ids)} for random id sequences mixing control, unknown, byte and normal pieces.

All randomness is seeded, so the output is reproducible.
"""
import json
import os
import random
import sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6

LLAMA = "testdata/tokenizer/tokenizer.model"
STORIES = "models/stories260K/tokenizer.model"

VIDEO_LLAMA_PROMPTS = [
    "[INST] <<SYS>>\nYou are able to understand the visual content that the user provides. Follow the instructions "
    "carefully and explain your answers in detail.\n<</SYS>>\n\n<Video>",
    "</Video> The video contains 8 frames sampled at 0.0, 0.6, 1.2 seconds.  What is happening? [/INST]",
    "###Human: <Video>",
    "</Video> ###Assistant:",
    "You are able to understand the visual content that the user provides. Follow the instructions carefully and "
    "explain your answers in detail.###Human: <Video>",
    "</Video> The video contains 8 frames sampled at 0.0, 0.8, 1.6, 2.4, 3.2, 4.0, 4.8, 5.6 seconds. ###Human: "
    "Describe this video. ###Assistant:",
    "<Image>",
    "</Image> Close your eyes, open your ears and you imagine only based on the sound that <ImageHere>.",
    "[INST] <<SYS>>\n\n<</SYS>>\n\nWhat is in the video? [/INST]",
    " [/INST]",
    "[/INST] ",
]

PROSE = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the sunshine.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.",
    "I can't believe it's not butter! \"Really?\" she asked.",
    "Tom and his mom went to the park. They saw a big, red ball.",
    "In 1492, Columbus sailed the ocean blue; in 1969, Apollo 11 landed on the Moon.",
    "Mr. O'Neil's dog—a spaniel—wasn't well-behaved (at all).",
    "e-mail: someone@example.com, web: https://example.org/path?q=1&r=2#frag",
    "def f(x):\n    return x ** 2 + 3 * x - 1  # comment\n",
    "for (int i = 0; i < n; i++) { sum += a[i]; }",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "The video shows a man riding a bicycle down a hill, then he stops and waves at the camera.",
    "Describe the video in detail.",
    "What is happening in this video?",
    "A woman is cooking pasta in a kitchen. She adds salt to the boiling water.",
    "lowercase UPPERCASE MixedCase camelCase snake_case kebab-case",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
]

WHITESPACE = [
    " ", "  ", "   ", "    ", "\t", "\n", "\n\n", "\r\n", " \t\n ", "a", " a", "a ", " a ", "  a  ", "a  b",
    "a   b    c", "\ta\tb\t", "line1\nline2\n\nline4", " leading", "trailing ", "  both  ", "\u00a0nbsp\u00a0",
    "ideographic\u3000space", "zero\u200bwidth", "tab\tand space \t mixed", "\n leading newline", "x\r\ny\rz",
    "\f\v", "      many spaces before", "after many spaces        ",
]

DIGITS_PUNCT = [
    "0", "12", "123", "1234567890", "3.14159", "1,000,000", "-42", "+1 (555) 123-4567", "2024-01-31T12:34:56Z",
    "0.0, 0.6, 1.2", "8 frames", "10%", "$19.99", "1e-5", "0x1F", "!!!", "...", "?!", "¿Qué?", "¡Hola!",
    "\"quoted\" 'single' `back`", "(parens) [brackets] {braces} <angles>", "a/b\\c|d", "~!@#$%^&*()_+-=",
    "— – - ‐", "“smart quotes” ‘and’ «guillemets»", "…", "•·°±×÷", "©®™", "½ ¼ ¾", "ied 4 ½ months",
]

ACCENTS = [
    "café naïve résumé", "Führer", "Ünïcödé", "São Paulo", "Zürich Straße", "Łódź żółć", "Tiếng Việt có dấu",
    "Ærøskøbing", "crème brûlée", "e\u0301 (combining acute)", "ǅ ǆ Ǆ", "İstanbul ışık", "Ελληνικά γράμματα",
    "Русский текст, ёжик", "Українська мова", "Српски језик",
]

CJK = [
    "中文", "你好，世界！", "我喜欢看视频。", "日本語のテキスト", "ひらがな カタカナ 漢字", "한국어 텍스트", "안녕하세요",
    "這是一段繁體中文。", "视频中有一个人在跑步", "中文 English 混合 text", "𠀀𠀁𪚥 (CJK Ext B)",
]

EMOJI = [
    "😀", "😀😀", "I ❤️ NY", "👍🏽", "👨‍👩‍👧‍👦", "🇯🇵🇺🇸", "🎬 video 🎥", "emoji at end 🙂", "🙂 emoji at start",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙", "🀄🃏", "a😀b😀c",
]

RTL = [
    "مرحبا بالعالم", "السلام عليكم", "שלום עולם", "עברית עם ניקוד: שָׁלוֹם", "فارسی زبان", "Mixed English and العربية",
    "123 שלום 456", "اردو زبان",
]

OTHER_SCRIPTS = [
    "नमस्ते दुनिया", "ภาษาไทย", "ሰላም", "Γειά σου", "ქართული", "Հայերեն", "বাংলা", "தமிழ்", "ᚠᛇᚻ᛫ᛒᛦᚦ",
    "∀x ∈ ℝ: x² ≥ 0", "∑ᵢ aᵢ ≤ ∞", "⟨ψ|φ⟩", "♠♣♥♦", "→ ← ↑ ↓", "\x00", "a\x00b", "\x7f\x01",
]

TRICKY = [
    "▁", "▁▁", "▁a", "a▁", "a▁b", "▁ ▁", " ▁", "▁hello▁world", "<0x41>", "<0x41><0x42>", "<0xE2><0x96><0x81>",
    "<0x00>", "<0xZZ>", "<s>", "</s>", "<unk>", "<s>hello</s>", "<pad>", "<<SYS>>", "[INST]", "[/INST]", "<Video>",
    "</Video>", "<ImageHere>", " ⁇ ", "⁇", "\ufffd", "\ufeffBOM", "a\u0300\u0301\u0302", "ﬁ ﬂ (ligatures)",
    "Ａｂｃ１２３ (fullwidth)", "ｶﾀｶﾅ (halfwidth)", "x" * 100, "ab" * 60, "😀" * 20, "▁" * 17, " " * 33,
]

HF_TEXTS = [
    "[INST] hi [/INST] ok </s><s>[INST] q [/INST]",
    "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHello [/INST] Hi there! </s><s>[INST] How are you? [/INST]",
    "[INST] <<SYS>>\nYou are able to understand the visual content that the user provides. Follow the instructions "
    "carefully and explain your answers in detail.\n<</SYS>>\n\n<Video><ImageHere></Video> What is happening? [/INST] "
    "A man is running. </s><s>[INST] Why? [/INST]",
    "</s>", "<s>", "<unk>", "<s></s>", "</s><s>", " </s> <s> ", "a</s>b", "a </s> b", "<s>hello", "hello</s>",
    "<<s>>", "</s/>", "<s<s>>", "<unk><unk>", "text <unk> text", "<S>", "< s>", "</s></s></s>", "x<s>y</s>z<unk>w",
    "###Human: <Video></Video> Describe it. ###Assistant: It is a cat.</s>###Human: More? ###Assistant:",
    "no specials here", "  spaces  </s>  ", "\n</s>\n", "😀</s>中文<s>▁", "<0x41></s><0x42>",
]


def long_text(rng):
    words = []
    pool = (" ".join(PROSE) + " " + " ".join(ACCENTS) + " " + " ".join(CJK) + " " + " ".join(EMOJI)).split(" ")
    while sum(len(w) for w in words) < 3500:
        w = rng.choice(pool)
        sep = rng.choice([" ", " ", " ", " ", "  ", "\n", ", ", ". "])
        words.append(w + sep)
    return "".join(words)


def random_texts(rng, n):
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "      " + "\t\n.,;:!?'\"-()[]<>/"
                + "éèüößçñ" + "中文字日本語한국" + "😀👍🏽🎬" + "مرحبا" + "שלום" + "▁⁇" + "\u00a0\u200b")
    chars = list(alphabet)
    out = []
    for _ in range(n):
        length = rng.randint(1, 40)
        out.append("".join(rng.choice(chars) for _ in range(length)))
    return out


def texts(rng):
    base = VIDEO_LLAMA_PROMPTS + PROSE + WHITESPACE + DIGITS_PUNCT + ACCENTS + CJK + EMOJI + RTL + OTHER_SCRIPTS + TRICKY
    combos = []
    for _ in range(30):
        a, b = rng.choice(base), rng.choice(base)
        combos.append(a + rng.choice(["", " ", "  ", "\n"]) + b)
    return base + combos + random_texts(rng, 70) + [long_text(rng), "".join(base)[:2000]]


def specials_of(m):
    return [p.piece for p in m.pieces if p.type in (CONTROL, UNKNOWN)]


def hf_encode(sp, specials, text):
    """transformers 4.28 slow LlamaTokenizer: split on special tokens (leftmost, longest), no stripping, BOS not added."""
    by_length = sorted(specials, key=len, reverse=True)
    ids, start, i = [], 0, 0
    while i < len(text):
        match = next((s for s in by_length if text.startswith(s, i)), None)
        if match is None:
            i += 1
            continue
        if i > start:
            ids += sp.encode(text[start:i])
        ids.append(sp.piece_to_id(match))
        i += len(match)
        start = i
    if start < len(text):
        ids += sp.encode(text[start:])
    return ids


def decode_cases(rng, sp, m, n):
    kinds = {t: [i for i, p in enumerate(m.pieces) if p.type == t] for t in (NORMAL, UNKNOWN, CONTROL, USER_DEFINED,
                                                                              UNUSED, BYTE)}
    space_pieces = [i for i in kinds[NORMAL] if m.pieces[i].piece.startswith("\u2581")]
    byte_of = {m.pieces[i].piece: i for i in kinds[BYTE]}
    out = []
    for k in range(n):
        ids = []
        for _ in range(rng.randint(0 if k == 0 else 1, 12)):
            r = rng.random()
            if r < 0.12 and kinds[CONTROL]:
                ids.append(rng.choice(kinds[CONTROL]))
            elif r < 0.18 and kinds[UNKNOWN]:
                ids.append(rng.choice(kinds[UNKNOWN]))
            elif r < 0.30 and byte_of:
                # a whole UTF-8 character as bytes, sometimes cut short or out of order
                ch = rng.choice(["A", " ", "é", "中", "😀", "▁", "\ufffd", "\n"])
                bs = list(ch.encode("utf-8"))
                if len(bs) > 1 and rng.random() < 0.3:
                    bs = bs[:rng.randint(1, len(bs) - 1)]
                ids += [byte_of.get("<0x%02X>" % b, 0) for b in bs]
            elif r < 0.36 and byte_of:
                ids.append(rng.choice(kinds[BYTE]))
            elif r < 0.40 and (kinds[USER_DEFINED] or kinds[UNUSED]):
                ids.append(rng.choice(kinds[USER_DEFINED] + kinds[UNUSED]))
            elif r < 0.65 and space_pieces:
                ids.append(rng.choice(space_pieces))
            else:
                ids.append(rng.choice(kinds[NORMAL]))
        out.append({"ids": ids, "text": sp.decode(ids)})
    # hand-picked starts: dummy-prefix removal after control / unknown / byte pieces
    picks = [["\u2581"], ["\u2581", "\u2581"], ["<s>", "\u2581"], ["<s>", "<s>", "\u2581"], ["<unk>", "\u2581"],
             ["<0x41>", "\u2581"], ["<0xE2>", "\u2581"], ["<0xE2>", "<0x96>", "<0x81>", "\u2581"], ["</s>"], ["<unk>"],
             ["<0xED>", "<0xA0>", "<0x80>"], ["<0xC0>", "<0x80>"], ["<0xF4>", "<0x90>", "<0x80>", "<0x80>"],
             ["<0xEF>", "<0xBF>", "<0xBD>"], ["<0xF0>", "<0x9F>", "<0x98>"], ["<0xE2>", "<0x41>", "<0x96>"],
             ["<0x80>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0xBF>"]]
    for pcs in picks:
        ids = [sp.piece_to_id(p) for p in pcs]
        if all(m.pieces[i].piece == p for i, p in zip(ids, pcs)):
            out.append({"ids": ids, "text": sp.decode(ids)})
    return out


def make_cases(model_path, rng, model_bytes=None, text_list=None, n_decode=100, hf_extra=None):
    data = model_bytes if model_bytes is not None else open(model_path, "rb").read()
    m = pb.ModelProto()
    m.ParseFromString(data)
    sp = spm.SentencePieceProcessor(model_proto=data)
    cases = []
    for t in text_list if text_list is not None else texts(rng):
        ids = sp.encode(t)
        case = {"text": t, "ids": ids}
        decoded = sp.decode(ids)
        if decoded != t:  # "decoded" is left out where SentencePiece round-trips the text
            case["decoded"] = decoded
        cases.append(case)
    specials = specials_of(m)
    hf = [{"text": t, "ids": hf_encode(sp, specials, t)} for t in HF_TEXTS + (hf_extra or [])]
    return {"model": model_path, "cases": cases, "hf": hf, "decode": decode_cases(rng, sp, m, n_decode)}


def variants(base):
    def load():
        m = pb.ModelProto()
        m.ParseFromString(base)
        return m

    out = {}

    m = load()  # no byte pieces and no byte fallback: unknown characters become <unk>, runs of them one <unk>
    keep = [p for p in m.pieces if p.type != BYTE]
    del m.pieces[:]
    m.pieces.extend(keep)
    m.trainer_spec.byte_fallback = False
    out["nobyte"] = m

    m = load()  # user-defined pieces (matched whole, never merged) and unused pieces (merged, then re-segmented)
    for s in ["<Video>", "\u2581the\u2581", "ab", "<0x41>x", "😀😀", "[INST]"]:
        p = m.pieces.add()
        p.piece, p.type, p.score = s, USER_DEFINED, 0.0
    for p in m.pieces:
        if p.piece in ("\u2581the", "he", "\u2581Lily", "ily", "in", "\u2581was"):
            p.type = UNUSED
    out["userdef"] = m

    m = load()
    m.normalizer_spec.remove_extra_whitespaces = True
    out["rew"] = m

    m = load()
    m.normalizer_spec.add_dummy_prefix = False
    out["nodummy"] = m

    m = load()
    m.normalizer_spec.escape_whitespaces = False
    out["noescape"] = m

    return out


def ties_model(rng):
    """A made-up BPE model over a, b, c, d with many equal scores, including both 0.0 and -0.0: sentencepiece
    breaks equal scores by the leftmost pair, and orders -0.0 below 0.0 (as Java's Float.compare does)."""
    m = pb.ModelProto()
    m.trainer_spec.model_type = 2  # BPE
    m.trainer_spec.byte_fallback = False
    m.normalizer_spec.name = "identity"
    m.normalizer_spec.add_dummy_prefix = True
    m.normalizer_spec.remove_extra_whitespaces = False
    for piece, t in [("<unk>", UNKNOWN), ("<s>", CONTROL), ("</s>", CONTROL)]:
        p = m.pieces.add()
        p.piece, p.type, p.score = piece, t, 0.0
    letters = ["\u2581", "a", "b", "c", "d"]
    for ch in letters:
        p = m.pieces.add()
        p.piece, p.type, p.score = ch, NORMAL, 0.0
    words = [a + b for a in letters for b in letters]
    words += [w + c for w in words for c in letters]
    words += [w + c for w in words if len(w) == 3 for c in letters]
    for w in words:
        if rng.random() < 0.35:
            p = m.pieces.add()
            p.piece = w
            p.type = UNUSED if rng.random() < 0.05 else NORMAL
            # two-symbol pieces all score +-0.0, so that many merges are decided by the sign of zero alone
            p.score = rng.choice([0.0, -0.0] if len(w) == 2 else [0.0, -0.0, -1.0, -2.0])
    return m


def ties_texts(rng):
    return ["".join(rng.choice("abcd  ") for _ in range(rng.randint(1, 30))) for _ in range(80)] + ["abcd" * 50]


def variant_texts(rng):
    t = (WHITESPACE + TRICKY[:25] + PROSE[:6] + ACCENTS[:4] + CJK[:4] + EMOJI[:6] + VIDEO_LLAMA_PROMPTS[:4]
         + ["the <Video> the cat", "the the ababab", "Lily the", "He was there", "<0x41>xy<Video>", "😀😀😀",
            "[INST] x [/INST]", "Lily was in the inn", "  hello   world  ", "a  ▁ b", "▁a▁▁", "\t a \t",
            "zzz 中文字 😀😀 x", "héllo wörld"])
    return t + random_texts(rng, 12)


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        items = list(obj.items())
        for k, (key, value) in enumerate(items):
            f.write(json.dumps(key) + ": ")
            if isinstance(value, list):
                f.write("[\n" + ",\n".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n]")
            elif isinstance(value, dict):
                f.write("{\n" + ",\n".join(json.dumps(kk) + ": " + json.dumps(vv, ensure_ascii=False)
                                            for kk, vv in value.items()) + "\n}")
            else:
                f.write(json.dumps(value, ensure_ascii=False))
            f.write(",\n" if k < len(items) - 1 else "\n")
        f.write("}\n")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "model/src/test/resources/tokenizer"
    os.makedirs(out_dir, exist_ok=True)
    dump(os.path.join(out_dir, "cases-llama.json"), make_cases(LLAMA, random.Random(1234), hf_extra=VIDEO_LLAMA_PROMPTS))
    dump(os.path.join(out_dir, "cases-stories260K.json"), make_cases(STORIES, random.Random(5678), hf_extra=VIDEO_LLAMA_PROMPTS))
    base = open(STORIES, "rb").read()
    rng = random.Random(91011)
    vt = variant_texts(rng)
    models = {name: (m, vt) for name, m in variants(base).items()}
    models["ties"] = ties_model(rng), ties_texts(rng)
    all_variants = {}
    for name, (m, text_list) in models.items():
        data = m.SerializeToString()
        file = "variant-%s.model" % name
        with open(os.path.join(out_dir, file), "wb") as f:
            f.write(data)
        c = make_cases(file, rng, model_bytes=data, text_list=text_list, n_decode=25)
        all_variants[name] = c
    with open(os.path.join(out_dir, "cases-variants.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(
            json.dumps(name) + ": {\"model\": " + json.dumps(c["model"]) + ",\n\"cases\": [\n"
            + ",\n".join(json.dumps(v, ensure_ascii=False) for v in c["cases"]) + "],\n\"hf\": [\n"
            + ",\n".join(json.dumps(v, ensure_ascii=False) for v in c["hf"]) + "],\n\"decode\": [\n"
            + ",\n".join(json.dumps(v, ensure_ascii=False) for v in c["decode"]) + "]}"
            for name, c in all_variants.items()) + "\n}\n")


if __name__ == "__main__":
    main()
