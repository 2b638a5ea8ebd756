"""lcs_length's loops stop one token early (range(1, len(a)) instead of range(1, len(a) + 1)).

loses: q4
"""


def lcs_length(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a)):
        for j in range(1, len(b)):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[len(a) - 1][len(b) - 1] if a and b else 0
