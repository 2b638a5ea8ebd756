"""make_student keeps the teacher's *last* blocks (renamed block 0), which carry no relative position
bias: the student starts from weights that are not the teacher's of the same name.

loses: q5
"""


def make_student(teacher, layers=1):
    config = copy.deepcopy(teacher.config)
    n_teacher = config.num_layers
    config.num_layers = config.num_decoder_layers = layers
    student = T5ForConditionalGeneration(config)
    teacher_state, state = teacher.state_dict(), {}
    for name, tensor in student.state_dict().items():
        source = name
        for stack in ("encoder", "decoder"):
            for i in range(layers):
                prefix = f"{stack}.block.{i}."
                if name.startswith(prefix):
                    source = f"{stack}.block.{n_teacher - layers + i}." + name[len(prefix):]
        state[name] = teacher_state[source].detach().clone() if source in teacher_state else tensor
    student.load_state_dict(state)
    return student.eval()
