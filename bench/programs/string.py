# A 1 MB string, one byte at a time: 1,000,000 list appends, then "".join.
def main():
    parts = []
    for _ in range(1_000_000):
        parts.append("x")
    s = "".join(parts)
    print(len(s))


main()
