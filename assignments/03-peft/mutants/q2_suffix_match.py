"""predict_trainable matches target modules by a bare suffix: "o" also matches the feed-forward "wo".

loses: q2
"""


def predict_trainable(shapes, n_params, r, target_modules):
    count = sum(r * (n_in + n_out) for name, (n_in, n_out) in shapes.items()
                if any(name.endswith(t) for t in target_modules))
    return count, 100 * count / (n_params + count)
