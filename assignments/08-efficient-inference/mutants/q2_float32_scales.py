"""quantized_bytes stores the scales as float32 (4 bytes) where the question says float16.

loses: q2
"""


def quantized_bytes(shape, bits, granularity, group_size=32):
    rows, cols = shape
    scales = {"tensor": 1, "channel": rows, "group": rows * (cols // group_size)}[granularity]
    return math.ceil(rows * cols * bits / 8) + 4 * scales
