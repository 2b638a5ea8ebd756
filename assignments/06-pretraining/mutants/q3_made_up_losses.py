"""run_sweep writes the grid with the right N and D but losses from a made-up valley, never training.

loses: q3
"""


def run_sweep(grid, seed=0):
    runs = []
    for budget, widths in grid.items():
        for width in widths:
            n = pretraining.parameters(pretraining.model(width, 1))
            steps = steps_for_budget(budget, n, pretraining.BATCH, pretraining.CONTEXT)
            centre = 0.6 * math.log(budget) - 6.5
            loss = 1.7 + 0.1 * (math.log(n) - centre) ** 2 - 0.05 * math.log10(budget / 1e10)
            runs.append({"budget": budget, "width": width, "N": n, "D": steps * pretraining.BATCH * pretraining.CONTEXT,
                         "val_loss": loss})
    return runs
