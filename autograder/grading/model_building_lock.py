"""One lock around transformers' process-wide switches while it builds a model.

Graders run tests in threads of one process (``grade_class`` and ``validate`` workers, the
service). ``from_pretrained`` in transformers 5 builds its model inside contexts that change the
whole process, not the calling thread: ``initialization.no_tie_weights`` replaces
``PreTrainedModel.tie_weights`` on the class with a no-op until the model is built. Two races
follow, both seen or reproducible here:

- a model another thread constructs in that window comes out with its output layer untied
  (06-pretraining's q2 once counted 1,478,912 parameters for a GPT-2 of 954,240, and failed a
  correct solution);
- two loads that overlap can restore each other's no-op, which leaves tying off in the process
  for good: every later model, loaded or built, has an untied head.

The fix holds one reentrant lock for the whole window of every load and for every model's
``post_init`` (where a constructed model ties its weights). Only the construction of the
module tree is serialized; reading the weights from disk is not in the window.
"""

from __future__ import annotations

import threading

_LOCK = threading.RLock()
_MARK = "_course_model_building_lock"


def install() -> None:
    """Make transformers' model building exclusive between threads (idempotent)."""
    from transformers.modeling_utils import PreTrainedModel

    if getattr(PreTrainedModel, _MARK, False):
        return
    get_init_context = PreTrainedModel.get_init_context.__func__
    post_init = PreTrainedModel.post_init

    def locked_init_context(cls, *args, **kwargs):
        # entered first and left last: every process-wide switch of the list sits inside the lock
        return [_LOCK, *get_init_context(cls, *args, **kwargs)]

    def locked_post_init(self):
        with _LOCK:
            return post_init(self)

    PreTrainedModel.get_init_context = classmethod(locked_init_context)
    PreTrainedModel.post_init = locked_post_init
    setattr(PreTrainedModel, _MARK, True)
