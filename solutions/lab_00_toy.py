"""00-toy (Toy assignment (tooling tests)): the reference solution.

Generated from assignments/00-toy/00-toy.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_00_toy.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_00_toy` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 00 – Toy assignment
#
# A tiny, model-free assignment used to test the course tooling (release, check, submit, grading). Replace each `...` with your code.

# %%
import numpy as np

# %% [markdown]
# ## Question 1: mean absolute value
#
# Write `mean_abs(xs)`, the mean of the absolute values of the numbers in `xs` (a list or a 1-D array). For an empty input, return `0.0`.

# %%
def mean_abs(xs):
    # BEGIN SOLUTION
    magnitudes = np.abs(np.asarray(xs, dtype=float))
    if magnitudes.size == 0:
        return 0.0
    return float(magnitudes.sum() / magnitudes.size)
    # END SOLUTION

# %% [markdown]
# ## Question 2: softmax
#
# Write `softmax(x)` for a 1-D array `x`: `exp(x) / exp(x).sum()`, computed stably (subtract the maximum first) so that `softmax(np.array([1000., 1000.]))` works.

# %%
def softmax(x):
    x = np.asarray(x, dtype=float)
    shifted = x - x.max()  # SOLUTION
    weights = np.exp(shifted)  # SOLUTION
    return weights / weights.sum()  # SOLUTION

# %% [markdown]
# ## Question 3 (graded by staff)
#
# Why does subtracting the maximum not change the softmax?

# %% [markdown]
# Because softmax is invariant to adding a constant to every input: the factor exp(-c) cancels between numerator and denominator (platypus argument).

# %% [markdown]
# You are done: run `course check 00-toy.ipynb`, then `course submit 00-toy.ipynb --student YOUR_ID`.
