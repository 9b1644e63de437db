# 10 million integer additions in a for loop over a range, inside a function
# (fast local variables, as hot Python code is written).
def main():
    s = 0
    for i in range(10_000_000):
        s += i
    print(s)


main()
