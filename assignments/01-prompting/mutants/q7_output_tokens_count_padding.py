"""measure_cost counts every column generate returns as output: the decoder start token and the padding after </s> too.

loses: q7
"""
import time

import torch


def measure_cost(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8):
    input_tokens = output_tokens = 0
    seconds = 0.0
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(prompts[start:start + batch_size], padding=True, return_tensors="pt")
        started = time.perf_counter()
        with torch.no_grad():
            out = model.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                 do_sample=False, max_new_tokens=max_new_tokens)
        seconds += time.perf_counter() - started
        input_tokens += int(batch["attention_mask"].sum())
        output_tokens += out.numel()
    n = len(prompts)
    return {"input_tokens": input_tokens / n, "output_tokens": output_tokens / n,
            "seconds_per_summary": seconds / n, "tokens_per_second": output_tokens / seconds}
