#!/usr/bin/env python3
"""Reference prompts for videollama.model.chat: what the Video-LLaMA demo feeds its LLaMA, per text segment.

Run from the repository root with a Python that has `sentencepiece`, pointing at a checkout of the reference
repository DAMO-NLP-SG/Video-LLaMA (any commit since 2023-08-24, when the audio/video order was fixed):

    python scripts/reference/make_prompt_cases.py PATH/TO/Video-LLaMA [OUT]

OUT defaults to model/src/test/resources/chat/prompt-cases.json. The conversation logic is NOT re-written here:
the script executes the reference's own `Conversation` class, its `conv_llava_llama_2` / `default_conversation`
templates and `Chat.ask` (taken out of video_llama/conversation/conversation_video.py with `ast`, so the heavy
imports of that module are not needed), then splits each prompt on `<ImageHere>` as `Chat.get_context_emb` does
and tokenizes every segment like transformers 4.28's slow LlamaTokenizer (BOS only on segment 0; the rule is
make_tokenizer_cases.hf_encode, checked there against sentencepiece). The user-message bodies and the system
sentence are the demos' (demo_video.py, demo_audiovideo.py and Chat.upload_*), also read from the reference files.
"""
import ast
import dataclasses
import json
import os
import sys
from enum import Enum, auto
from typing import Any, List

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(__file__))
from make_tokenizer_cases import hf_encode  # noqa: E402

LLAMA = "testdata/tokenizer/tokenizer.model"


def reference_namespace(repo):
    """Conversation, SeparatorStyle, the two templates and Chat.ask, executed from the reference source."""
    path = os.path.join(repo, "video_llama/conversation/conversation_video.py")
    source = open(path, encoding="utf-8").read()
    tree = ast.parse(source)
    keep = []
    chat_ask = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("SeparatorStyle", "Conversation"):
            keep.append(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("default_conversation", "conv_llava_llama_2")
                                                  for t in node.targets):
            keep.append(node)
        elif isinstance(node, ast.ClassDef) and node.name == "Chat":
            chat_ask = next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "ask")
            upload_video = next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "upload_video")
    namespace = {"dataclasses": dataclasses, "Enum": Enum, "auto": auto, "List": List, "Any": Any}
    exec(compile(ast.Module(body=keep, type_ignores=[]), path, "exec"), namespace)
    ask_module = ast.Module(body=[chat_ask], type_ignores=[])
    exec(compile(ask_module, path, "exec"), namespace)
    # The audio + video message body: the string literal inside Chat.upload_video (its runs of spaces come from
    # line continuations in the literal).
    bodies = [n.value for n in ast.walk(upload_video) if isinstance(n, ast.Constant) and isinstance(n.value, str)
              and n.value.startswith("Close your eyes")]
    namespace["AUDIO_VIDEO_BODY"] = bodies[0]
    return namespace


def demo_system(repo):
    """The system sentence demo_video.py sets for an image or a video."""
    source = open(os.path.join(repo, "demo_video.py"), encoding="utf-8").read()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and any(isinstance(t, ast.Attribute) and t.attr == "system" for t in node.targets) and node.value.value:
            return node.value.value
    raise SystemExit("no system sentence in demo_video.py")


def main():
    repo = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "model/src/test/resources/chat/prompt-cases.json"
    ns = reference_namespace(repo)
    system = demo_system(repo)
    sp = spm.SentencePieceProcessor(model_file=LLAMA)
    specials = ["<s>", "</s>", "<unk>"]
    ask = ns["ask"]

    video_body = "<Video><ImageHere></Video> " + "The video contains 8 frames sampled at 0.0, 0.6, 1.2, 1.8, 2.4, 3.0, 3.6, 4.2 seconds. "
    image_body = "<Image><ImageHere></Image> "
    scenarios = [
        # name, template, system, body, questions, answers given between them
        ("video", system, video_body, ["What is happening in this video?"], []),
        ("image", system, image_body, ["Describe this image in detail."], []),
        ("audio-video", "", ns["AUDIO_VIDEO_BODY"], ["What do you hear?"], []),
        ("video-empty-system", "", video_body, ["Is there a dog?"], []),
        ("video-multi-turn", system, video_body, ["What is happening?", "What colour is it?", "Why?"],
         ["A flower opens slowly.", "It is pink, with <s> and </s> in the text.\nTwo lines."]),
        ("unicode", system, image_body, ["Что это? 这是什么？ 🌸 café"], []),
    ]
    cases = []
    for template_name, template in (("llama2", "conv_llava_llama_2"), ("vicuna", "default_conversation")):
        for name, sys_msg, body, questions, answers in scenarios:
            conv = ns[template].copy()
            conv.messages = [list(m) for m in conv.messages]  # llama-2's template starts as a tuple
            conv.system = sys_msg
            conv.append_message(conv.roles[0], body)
            turns = []
            for q, question in enumerate(questions):
                ask(None, question, conv)
                conv.append_message(conv.roles[1], None)
                prompt = conv.get_prompt()
                segments = prompt.split("<ImageHere>")
                ids = [([sp.bos_id()] if i == 0 else []) + hf_encode(sp, specials, seg) for i, seg in enumerate(segments)]
                turns.append({"question": question, "prompt": prompt, "segments": segments, "ids": ids})
                if q < len(answers):
                    conv.messages[-1][1] = answers[q]
            cases.append({"name": name, "template": template_name, "system": sys_msg, "body": body,
                          "answers": answers, "turns": turns})
    data = {"tokenizer": LLAMA, "system": system, "audio_video_body": ns["AUDIO_VIDEO_BODY"], "cases": cases}
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    print(f"wrote {out}: {len(cases)} conversations", file=sys.stderr)


if __name__ == "__main__":
    main()
