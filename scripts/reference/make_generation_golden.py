#!/usr/bin/env python3
"""Golden generations for beam search, beam sampling, repetition penalty, min_length and stop criteria, as
Video-LLaMA's ``Chat.answer`` gets them from transformers 4.28.0's ``generate(inputs_embeds=...)``.

Writes testdata/golden/generate/cases.json: for each case the model folder, the prompt ids (embedded with the
model's ``embed_tokens`` and passed as ``inputs_embeds``, as the reference passes its spliced prompt), the settings,
the returned sequence (with the leading BOS 4.28 puts there and the EOS its ``finalize`` appends), the final
``sequences_scores`` value, and per beam step the kept tokens, their parent beams and the running beam scores.

Run with the reference venv of make_llama_golden.py (torch 2.13 CPU, transformers 5.18):

    /tmp/pyref/bin/python scripts/reference/make_generation_golden.py

Which transformers
------------------
The reference pins transformers 4.28.0; only 5.x installs here. 5.x does not generate as 4.28 does, so the
generations come from ``hf428_generate.py`` beside this script: a transcription of the 4.28 code paths answer()
reaches (see its header), run on ``LlamaForCausalLM`` of 5.18 for the forward passes only. Differences between
4.28 and 5.18 that change the results here:

1. From ``inputs_embeds`` without ``input_ids``, 4.28 starts the bookkeeping ids as ``[[bos]]`` (a token never fed
   to the model), 5.x (since 4.40) as an empty tensor. In 4.28 therefore: the output starts with BOS; max_length =
   max_new_tokens + 1; ``min_length`` counts that BOS (EOS is blocked while 1 + generated < min_length);
   the repetition penalty also penalises BOS's id; a beam hypothesis's length counts it.
2. Beam search was rewritten in 5.x (vectorised ``_beam_search``). 4.28's ``BeamSearchScorer`` divides a finished
   hypothesis's score by ``len(input_ids)**length_penalty`` where input_ids = BOS + the tokens before EOS
   (= generated count with EOS), and an unfinished one, added at ``finalize``, by BOS + generated; 5.x by the
   generated count (with EOS) for both, so a hypothesis ended by max_length is normalised by one less.
3. 4.28's ``is_done`` compares the worst kept hypothesis with the best of all 2·num_beams candidates of the step
   (EOS candidates included) over ``cur_len``; 5.x with the best running (non-finished) beam.
4. Stopping criteria: 4.28 calls them once per step on the reordered ``input_ids`` and stops the whole search
   (the reference's StoppingCriteriaSub reads row 0, the best running beam; running beams never end in EOS, so
   LLaMA-2's ``[2]`` criterion never fires with beams); ``finalize`` then adds every running beam and appends an
   EOS to the best hypothesis when it is shorter than max_length. 5.x applies criteria per candidate, finishing
   only those candidates.
5. 5.x keeps (1 + number of EOS ids)·num_beams candidates, 4.28 always 2·num_beams (the same for one EOS id).

Checked against 5.18 where the two agree: greedy from ``inputs_embeds`` (same ids after the BOS), beam search with
``length_penalty=0`` (differences 2 and 3 vanish: same ids, same sequence score), and each processor and warper
against 5.18's own classes on random rows (same formulas in both versions). Every check must pass.

Cases whose runs must not flip on float32 rounding record their smallest decision margin (the gap between
consecutive candidates in the top 2·num_beams+1 of a beam step, the top-2 gap of a greedy step); the script
refuses a case below MIN_MARGIN.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import LlamaForCausalLM  # noqa: E402
from transformers.generation import logits_process as lp5  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hf428_generate as g  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "testdata" / "golden" / "generate" / "cases.json"
GOLDEN = REPO / "testdata" / "golden" / "llama"
MIN_MARGIN = 5e-5
DOT = 426  # "." in the stories260K / golden tokenizer: an EOS id that beams reach within a sentence

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

MODELS = {
    "stories260K": "models/stories260K",
    "mha-untied": "testdata/golden/llama/mha-untied",
    "gqa-tied-theta": "testdata/golden/llama/gqa-tied-theta",
    "long-context": "testdata/golden/llama/long-context",
    "odd-f16": "testdata/golden/llama/odd-f16",
    "bf16": "testdata/golden/llama/bf16",
}
FLOAT32_WEIGHTS = {"stories260K", "mha-untied", "gqa-tied-theta", "long-context"}

TOM = "Tom had a red ball. He played with it all day. At night he"


def case(name, model, max_new_tokens, prompt=None, eos=2, stops=(), **settings):
    return dict(name=name, model=model, max_new_tokens=max_new_tokens, prompt=prompt, eos=eos, stops=stops,
                settings=settings)


CASES = [
    # beam search ended by max_new_tokens, three length penalties
    case("stories-b2-lp1", "stories260K", 40, num_beams=2, length_penalty=1.0),
    case("stories-b3-lp0.6", "stories260K", 40, num_beams=3, length_penalty=0.6),
    case("stories-b4-lp1.5", "stories260K", 40, num_beams=4, length_penalty=1.5),
    # EOS reachable: "." as the EOS id, hypotheses finish at a sentence's end
    case("stories-eos-b2-lp1", "stories260K", 60, prompt=TOM, eos=DOT, num_beams=2, length_penalty=1.0),
    case("stories-eos-b3-lp0.6", "stories260K", 60, prompt=TOM, eos=DOT, num_beams=3, length_penalty=0.6),
    case("stories-eos-b4-lp1.5", "stories260K", 60, prompt=TOM, eos=DOT, num_beams=4, length_penalty=1.5),
    case("stories-eos-b3-min12", "stories260K", 60, prompt=TOM, eos=DOT, num_beams=3, length_penalty=1.0,
         min_length=12),
    # the reference's stop criterion on row 0: one single-token and one two-token stop sequence
    case("stories-stop-b3", "stories260K", 60, stops="from-run", num_beams=3, length_penalty=1.0),
    # repetition penalty with beams (log-softmax scores: always the multiply branch)
    case("stories-b3-rep1.3", "stories260K", 40, num_beams=3, repetition_penalty=1.3),
    case("gqa-b2-rep1.5", "gqa-tied-theta", 30, num_beams=2, repetition_penalty=1.5),
    # the random golden models
    case("mha-b2-lp1", "mha-untied", 30, num_beams=2, length_penalty=1.0),
    case("mha-b4-lp0.6", "mha-untied", 30, num_beams=4, length_penalty=0.6),
    case("gqa-b3-lp1.5", "gqa-tied-theta", 30, num_beams=3, length_penalty=1.5),
    case("long-b3-lp1", "long-context", 20, num_beams=3, length_penalty=1.0),
    case("f16-b2-lp1-eos", "odd-f16", 60, num_beams=2, length_penalty=1.0),
    case("f16-b4-lp0.6-eos", "odd-f16", 60, num_beams=4, length_penalty=0.6),
    case("bf16-b2-lp1", "bf16", 30, num_beams=2, length_penalty=1.0),
    # beam sampling where it is deterministic: top_p so small that each beam keeps its 2 best tokens
    # (min_tokens_to_keep = 2 with beams), so the 2*2 draws without replacement take all 4 and are sorted
    case("stories-sample-b2-t0.7", "stories260K", 40, num_beams=2, do_sample=True, temperature=0.7, top_p=0.01),
    case("stories-eos-sample-b2-t1.3", "stories260K", 60, prompt=TOM, eos=DOT, num_beams=2, do_sample=True,
         temperature=1.3, top_p=0.01, length_penalty=1.0),
    case("mha-sample-b2-t1.3", "mha-untied", 30, num_beams=2, do_sample=True, temperature=1.3, top_p=0.01),
    # greedy with the processors (raw logits: both branches of the penalty on the random models)
    case("gqa-greedy-rep1.3", "gqa-tied-theta", 40, repetition_penalty=1.3),
    case("gqa-greedy-rep0.7", "gqa-tied-theta", 40, repetition_penalty=0.7),
    case("mha-greedy-rep1.2", "mha-untied", 40, repetition_penalty=1.2),
    case("stories-greedy-rep1.3", "stories260K", 60, repetition_penalty=1.3),
    case("stories-eos-greedy", "stories260K", 60, prompt=TOM, eos=DOT),
    case("stories-eos-greedy-min15", "stories260K", 60, prompt=TOM, eos=DOT, min_length=15),
    case("stories-stop-greedy", "stories260K", 60, stops="from-run"),
]


def load(name):
    return LlamaForCausalLM.from_pretrained(REPO / MODELS[name], dtype=torch.float32,
                                            attn_implementation="eager").eval()


def prompt_ids(c, sp):
    if c["prompt"] is None:
        return load_file(str(GOLDEN / c["model"] / "expected.safetensors"))["prompt_ids"]
    return torch.tensor([1] + sp.encode(c["prompt"]), dtype=torch.int64)


def settings(c, stops):
    return g.Settings(max_new_tokens=c["max_new_tokens"], eos_ids=(c["eos"],), stops=stops, **c["settings"])


def margin(result, num_beams):
    gaps = []
    for st in result["steps"]:
        if num_beams > 1:
            finite = st["flat"][torch.isfinite(st["flat"]) & (st["flat"] > -1e8)]  # dead beams aside
            top = torch.topk(finite, min(2 * num_beams + 1, finite.numel())).values
        else:
            top = torch.topk(st["scores"][torch.isfinite(st["scores"])], 2).values
        gaps.append(float((top[:-1] - top[1:]).min()))
    return min(gaps)


def run_case(c, sp, models):
    model = models.setdefault(c["model"], load(c["model"]))
    ids = prompt_ids(c, sp)
    with torch.no_grad():
        embeds = model.model.embed_tokens(ids)
    stops = c["stops"]
    if stops == "from-run":
        stops = pick_stops(model, embeds, c)
    s = settings(c, stops)
    gen = torch.Generator().manual_seed(1234)
    result = g.generate(model, embeds, s, gen)
    if s.do_sample:
        again = g.generate(model, embeds, s, torch.Generator().manual_seed(99))
        assert torch.equal(again["sequence"], result["sequence"]), c["name"] + ": the sampling regime is not deterministic"
    m = margin(result, s.num_beams)
    if c["model"] in FLOAT32_WEIGHTS or s.num_beams == 1:
        assert m >= MIN_MARGIN, f"{c['name']}: decision margin {m:.3g} below {MIN_MARGIN}"
    out = dict(name=c["name"], model=MODELS[c["model"]], prompt_ids=ids.tolist(), eos=c["eos"], bos=1,
               max_new_tokens=c["max_new_tokens"], stops=stops,
               num_beams=s.num_beams, do_sample=s.do_sample, temperature=s.temperature, top_k=s.top_k, top_p=s.top_p,
               repetition_penalty=s.repetition_penalty, length_penalty=s.length_penalty, min_length=s.min_length,
               sequence=result["sequence"].tolist(), reason=result["reason"], min_margin=m,
               float32_weights=c["model"] in FLOAT32_WEIGHTS)
    if s.num_beams > 1:
        out["score"] = float(torch.tensor(result["score"], dtype=torch.float32))
        out["beam_tokens"] = [st["tokens"] for st in result["steps"]]
        out["beam_parents"] = [st["parents"] for st in result["steps"]]
        out["beam_scores"] = [[float(x) for x in st["scores"]] for st in result["steps"]]
    return out


def pick_stops(model, embeds, c):
    """A single-token and a two-token stop sequence that row 0 (the best running beam) ends with at some step of
    a run without stops: the stop run must end at the earlier of the two."""
    s = settings(c, ())
    run = g.generate(model, embeds, s)
    if s.num_beams == 1:
        seq = run["sequence"].tolist()
        return [[seq[12], seq[13]], [seq[20]]]
    rows0 = [st["row0"] for st in run["steps"]]
    return [[rows0[9][-2], rows0[9][-1]], [rows0[16][-1]]]


def cross_check_processors():
    """Our 4.28 processors and warpers against 5.18's classes: the formulas did not change."""
    gen = torch.Generator().manual_seed(7)
    for trial in range(20):
        scores = torch.randn(3, 64, generator=gen) * 3
        ids = torch.randint(0, 64, (3, 9), generator=gen)
        for p in (1.3, 0.7):
            ours = g.repetition_penalty(ids, scores.clone(), p)
            theirs = lp5.RepetitionPenaltyLogitsProcessor(p)(ids, scores.clone())
            assert torch.equal(ours, theirs)
        for n in (5, 9, 12):
            ours = g.min_length(ids, scores.clone(), n, [2, 5])
            theirs = lp5.MinLengthLogitsProcessor(n, [2, 5])(ids, scores.clone())
            assert torch.equal(ours, theirs)
        for keep in (1, 2):
            assert torch.equal(g.top_k(scores.clone(), 7, keep), lp5.TopKLogitsWarper(7, min_tokens_to_keep=keep)(ids, scores.clone()))
            assert torch.equal(g.top_k(scores.clone(), 1, keep), lp5.TopKLogitsWarper(1, min_tokens_to_keep=keep)(ids, scores.clone()))
            for p in (0.9, 0.3, 0.01):
                assert torch.equal(g.top_p(scores.clone(), p, keep), lp5.TopPLogitsWarper(p, min_tokens_to_keep=keep)(ids, scores.clone()))
    return "repetition penalty, min_length, top-k, top-p equal to 5.18's classes on 20 random rows"


def cross_check_generate(models, sp):
    """Where 4.28 and 5.18 agree: greedy and length_penalty 0 beam search from inputs_embeds."""
    lines = []
    for name in ("stories260K", "mha-untied", "odd-f16"):
        model = models.setdefault(name, load(name))
        ids = load_file(str(GOLDEN / name / "expected.safetensors"))["prompt_ids"]
        with torch.no_grad():
            embeds = model.model.embed_tokens(ids)
        ours = g.generate(model, embeds, g.Settings(max_new_tokens=30))
        theirs = model.generate(inputs_embeds=embeds[None], do_sample=False, max_new_tokens=30, eos_token_id=2,
                                pad_token_id=0)
        assert ours["sequence"].tolist()[1:] == theirs[0].tolist(), (name, "greedy")
        for beams in (2, 4):
            ours = g.generate(model, embeds, g.Settings(max_new_tokens=30, num_beams=beams, length_penalty=0.0))
            theirs = model.generate(inputs_embeds=embeds[None], do_sample=False, num_beams=beams, length_penalty=0.0,
                                    max_new_tokens=30, eos_token_id=2, pad_token_id=0, output_scores=True,
                                    return_dict_in_generate=True)
            got = ours["sequence"].tolist()[1:]
            want = theirs.sequences[0].tolist()
            assert got == want, (name, beams, got, want)
            diff = abs(ours["score"] - float(theirs.sequences_scores[0]))
            assert diff <= 1e-5 * max(1.0, abs(ours["score"])), (name, beams, ours["score"], theirs.sequences_scores)
            lines.append(f"{name}: greedy ids equal; {beams} beams, length_penalty 0: ids equal, score "
                         f"{ours['score']:.6f} vs {float(theirs.sequences_scores[0]):.6f}")
        ours = g.generate(model, embeds, g.Settings(max_new_tokens=30, num_beams=3, length_penalty=1.0))
        theirs = model.generate(inputs_embeds=embeds[None], do_sample=False, num_beams=3, length_penalty=1.0,
                                max_new_tokens=30, eos_token_id=2, pad_token_id=0, output_scores=True,
                                return_dict_in_generate=True)
        lines.append(f"{name}: 3 beams, length_penalty 1 (differs by design when a hypothesis ends at max_length): "
                     f"4.28 score {ours['score']:.6f} over {len(ours['sequence'])} ids with BOS, 5.18 "
                     f"{float(theirs.sequences_scores[0]):.6f} over {len(theirs.sequences[0])}")
    return lines


def main():
    print(f"torch {torch.__version__}, transformers {transformers.__version__} (forward passes only)")
    sp = spm.SentencePieceProcessor(model_file=str(REPO / "models" / "stories260K" / "tokenizer.model"))
    checks = [cross_check_processors()]
    models = {}
    checks += cross_check_generate(models, sp)
    for line in checks:
        print("check:", line)
    cases = []
    for c in CASES:
        out = run_case(c, sp, models)
        cases.append(out)
        tail = sp.decode([t for t in out["sequence"][1:] if t < 512])
        print(f"{out['name']:<28} {out['reason']:<7} {len(out['sequence']) - 1:>3} ids  margin {out['min_margin']:.2e}"
              f"  score {out.get('score', float('nan')):.5f}  {tail[:70]!r}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = dict(generator="scripts/reference/make_generation_golden.py", semantics="transformers 4.28.0 generate "
               "from inputs_embeds (hf428_generate.py), forward passes by transformers " + transformers.__version__
               + " LlamaForCausalLM float32 eager, torch " + torch.__version__, checks=checks, cases=cases)
    # one line per case: compact, and still a readable diff when a case changes
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, indent=1)[:-2]
    body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    OUT.write_text(head + ',\n "cases": [\n' + body + "\n ]\n}\n")
    assert json.loads(OUT.read_text()) == json.loads(json.dumps(doc))
    print(f"wrote {OUT.relative_to(REPO)} ({OUT.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
