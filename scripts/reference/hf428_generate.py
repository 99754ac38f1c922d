"""Hugging Face ``generate`` as transformers 4.28.0 runs it for Video-LLaMA's ``Chat.answer``, written out in torch.

The reference environment pins transformers 4.28.0; only 5.x installs here, and 5.x generates differently (see
make_generation_golden.py's header for the list). This module re-implements, in its own code, what the 4.28 code
paths that ``answer()`` reaches compute (learnt by reading them; the order of every floating-point operation kept,
so that the goldens are 4.28's to the bit), driving any ``LlamaForCausalLM`` of the installed version for the forward passes:

* ``generate(inputs_embeds=embs, max_new_tokens, stopping_criteria, num_beams, do_sample, min_length, top_p,
  repetition_penalty, length_penalty, temperature)`` on a decoder-only model with no ``input_ids``:
  4.28's ``_prepare_model_inputs`` keeps the embeddings as the model input and, through
  ``_maybe_initialize_input_ids_for_generation``, starts the bookkeeping ``input_ids`` as ``[[bos_token_id]]``
  (a token never fed to the model); ``max_length = max_new_tokens + input_ids.shape[-1]`` = max_new_tokens + 1;
  the attention mask is all ones over the embeddings, so positions run 0..L-1, L, L+1, ...
* processors (``_get_logits_processor``, in its order): ``RepetitionPenaltyLogitsProcessor`` over ``input_ids``
  (the dummy BOS and the generated ids; the prompt's embeddings are not ids), then ``MinLengthLogitsProcessor``
  (EOS at -inf while ``input_ids.shape[-1] < min_length``);
* warpers (``_get_logits_warper``) when sampling: temperature (when != 1), top-k (``generation_config.top_k``, 50
  by default; at least 2 kept with beams), top-p (at least 2 kept with beams);
* ``greedy_search`` / ``sample`` (num_beams 1) on raw logits; ``beam_search`` / ``beam_sample`` on log-softmax,
  with ``BeamSearchScorer`` / ``BeamHypotheses`` (``early_stopping=False``, ``num_beam_hyps_to_keep=1``);
* stopping: ``MaxLengthCriteria`` (``input_ids.shape[-1] >= max_length``) or any user criterion, checked after
  each step on the (reordered) ``input_ids``; the reference's ``StoppingCriteriaSub`` looks at row 0 only.
"""

import torch
from torch import nn


def repetition_penalty(input_ids, scores, penalty):
    """4.28 RepetitionPenaltyLogitsProcessor: gather, < 0 ? x*p : x/p, scatter (a repeated id is penalised once)."""
    score = torch.gather(scores, 1, input_ids)
    score = torch.where(score < 0, score * penalty, score / penalty)
    scores.scatter_(1, input_ids, score)
    return scores


def min_length(input_ids, scores, length, eos_ids):
    """4.28 MinLengthLogitsProcessor."""
    if input_ids.shape[-1] < length:
        for i in eos_ids:
            scores[:, i] = -float("inf")
    return scores


def top_k(scores, k, keep):
    """4.28 TopKLogitsWarper."""
    k = min(max(k, keep), scores.size(-1))
    remove = scores < torch.topk(scores, k)[0][..., -1, None]
    return scores.masked_fill(remove, -float("inf"))


def top_p(scores, p, keep):
    """4.28 TopPLogitsWarper."""
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_remove = cumulative <= (1 - p)
    if keep > 1:
        sorted_remove[..., -keep:] = 0
    remove = sorted_remove.scatter(1, sorted_indices, sorted_remove)
    return scores.masked_fill(remove, -float("inf"))


class Settings:
    def __init__(self, max_new_tokens, num_beams=1, do_sample=False, min_length=1, top_p=0.9, top_k=50,
                 repetition_penalty=1.0, length_penalty=1.0, temperature=1.0, stops=(), eos_ids=(2,), bos_id=1):
        self.max_new_tokens = max_new_tokens
        self.num_beams = num_beams
        self.do_sample = do_sample
        self.min_length = min_length
        self.top_p = top_p
        self.top_k = top_k
        self.repetition_penalty = repetition_penalty
        self.length_penalty = length_penalty
        self.temperature = temperature
        self.stops = [torch.tensor(s) for s in stops]
        self.eos_ids = list(eos_ids)
        self.bos_id = bos_id


def processors(s, input_ids, scores):
    if s.repetition_penalty is not None and s.repetition_penalty != 1.0:
        scores = repetition_penalty(input_ids, scores, s.repetition_penalty)
    if s.min_length is not None and s.min_length > 0:
        scores = min_length(input_ids, scores, s.min_length, s.eos_ids)
    return scores


def warpers(s, scores):
    keep = 2 if s.num_beams > 1 else 1
    if s.temperature is not None and s.temperature != 1.0:
        scores = scores / s.temperature
    if s.top_k is not None and s.top_k != 0:
        scores = top_k(scores, s.top_k, keep)
    if s.top_p is not None and s.top_p < 1.0:
        scores = top_p(scores, s.top_p, keep)
    return scores


def stop_criteria(s, input_ids, max_length):
    """MaxLengthCriteria, then the reference's StoppingCriteriaSub (row 0 only)."""
    if input_ids.shape[-1] >= max_length:
        return "length"
    for stop in s.stops:
        if input_ids.shape[-1] >= len(stop) and torch.all(stop == input_ids[0][-len(stop):]).item():
            return "stop"
    return None


class Hypotheses:
    """The finished beams 4.28's BeamHypotheses keeps with early_stopping=False: the num_beams best by
    sum_logprobs / length ** length_penalty; when one too many, the worst leaves (of equal scores, the earliest)."""

    def __init__(self, num_beams, length_penalty):
        self.num_beams = num_beams
        self.length_penalty = length_penalty
        self.beams = []  # (score, hypothesis) in the order added

    def worst(self):
        return min(score for score, _ in self.beams)

    def add(self, hyp, sum_logprobs):
        score = sum_logprobs / (hyp.shape[-1] ** self.length_penalty)
        if len(self.beams) == self.num_beams and score <= self.worst():
            return
        self.beams.append((score, hyp))
        if len(self.beams) > self.num_beams:
            leaving = min(range(len(self.beams)), key=lambda i: (self.beams[i][0], i))
            del self.beams[leaving]

    def is_done(self, best_sum_logprobs, cur_len):
        """Full, and no running beam can beat the worst kept one any more (4.28's test over cur_len)."""
        return len(self.beams) == self.num_beams and self.worst() >= best_sum_logprobs / cur_len ** self.length_penalty


@torch.no_grad()
def generate(model, embeds, s, generator=None):
    """4.28 generate for one prompt [L, d]; returns dict(sequence (with the leading BOS), score, steps, reason)."""
    if s.num_beams == 1:
        return _greedy_or_sample(model, embeds, s, generator)
    return _beams(model, embeds, s, generator)


def _prefill(model, embeds, rows):
    out = model(inputs_embeds=embeds[None].expand(rows, -1, -1).contiguous(), use_cache=True)
    return out.logits[:, -1, :].float(), out.past_key_values


def _greedy_or_sample(model, embeds, s, generator):
    max_length = s.max_new_tokens + 1
    input_ids = torch.tensor([[s.bos_id]])
    logits, past = _prefill(model, embeds, 1)
    steps = []
    reason = None
    while True:
        scores = processors(s, input_ids, logits.clone())
        if s.do_sample:
            scores = warpers(s, scores)
            token = torch.multinomial(nn.functional.softmax(scores, dim=-1), num_samples=1, generator=generator)[:, 0]
        else:
            token = torch.argmax(scores, dim=-1)
        steps.append(dict(scores=scores[0].clone(), token=int(token)))
        input_ids = torch.cat([input_ids, token[:, None]], dim=-1)
        if int(token) in s.eos_ids:
            reason = "eos"
            break
        reason = stop_criteria(s, input_ids, max_length)
        if reason:
            break
        out = model(input_ids=token[:, None], past_key_values=past, use_cache=True)
        logits, past = out.logits[:, -1, :].float(), out.past_key_values
    return dict(sequence=input_ids[0], score=None, steps=steps, reason=reason)


def _beams(model, embeds, s, generator):
    n = s.num_beams
    max_length = s.max_new_tokens + 1
    input_ids = torch.full((n, 1), s.bos_id, dtype=torch.long)
    logits, past = _prefill(model, embeds, n)
    hyps = Hypotheses(n, s.length_penalty)
    done = False
    beam_scores = torch.zeros(n, dtype=torch.float)
    beam_scores[1:] = -1e9
    steps = []
    reason = None
    while True:
        cur_len = input_ids.shape[-1]
        scores = nn.functional.log_softmax(logits, dim=-1)
        scores = processors(s, input_ids, scores)
        scores = scores + beam_scores[:, None].expand_as(scores)
        if s.do_sample:
            scores = warpers(s, scores)
        vocab = scores.shape[-1]
        flat = scores.view(1, n * vocab)
        if s.do_sample:
            probs = nn.functional.softmax(flat, dim=-1)
            picked = torch.multinomial(probs, num_samples=2 * n, generator=generator)
            cand_scores = torch.gather(flat, -1, picked)
            cand_scores, order = torch.sort(cand_scores, descending=True, dim=1)
            picked = torch.gather(picked, -1, order)
        else:
            cand_scores, picked = torch.topk(flat, 2 * n, dim=1, largest=True, sorted=True)
        parents = torch.div(picked, vocab, rounding_mode="floor")[0]
        tokens = (picked % vocab)[0]
        cand_scores = cand_scores[0]

        # BeamSearchScorer.process, batch of one
        next_scores, next_tokens, next_parents = [], [], []
        for rank in range(2 * n):
            token, score, parent = int(tokens[rank]), float(cand_scores[rank]), int(parents[rank])
            if token in s.eos_ids:
                if rank >= n:
                    continue
                hyps.add(input_ids[parent].clone(), score)
            else:
                next_scores.append(cand_scores[rank])
                next_tokens.append(token)
                next_parents.append(parent)
            if len(next_tokens) == n:
                break
        if len(next_tokens) < n:
            raise ValueError("fewer than num_beams candidates that are not EOS")
        done = done or hyps.is_done(float(cand_scores.max()), cur_len)

        beam_scores = torch.stack(next_scores)
        beam_idx = torch.tensor(next_parents)
        input_ids = torch.cat([input_ids[beam_idx, :], torch.tensor(next_tokens)[:, None]], dim=-1)
        steps.append(dict(tokens=list(next_tokens), parents=list(next_parents), scores=beam_scores.clone(),
                          candidates=cand_scores.clone(), candidate_tokens=tokens.clone(),
                          candidate_parents=parents.clone(), flat=flat[0].clone(), done=done, row0=input_ids[0].tolist()))
        reason = "done" if done else stop_criteria(s, input_ids, max_length)
        if reason:
            break
        past.reorder_cache(beam_idx)
        out = model(input_ids=input_ids[:, -1:], past_key_values=past, use_cache=True)
        logits, past = out.logits[:, -1, :].float(), out.past_key_values

    # BeamSearchScorer.finalize
    if not done:
        for b in range(n):
            hyps.add(input_ids[b], float(beam_scores[b]))
    ranked = sorted(hyps.beams, key=lambda x: x[0])
    best_score, best = ranked.pop()
    sent_max_len = min(len(best) + 1, max_length)
    sequence = best
    if len(best) < sent_max_len:
        sequence = torch.cat([best, torch.tensor([s.eos_ids[0]])])
    return dict(sequence=sequence, score=best_score, steps=steps, reason=reason, hyps=hyps.beams)
