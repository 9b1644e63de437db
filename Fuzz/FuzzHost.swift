import Lang

/// What the fuzzed scripts may reach: two modules (one importing the other), a data file
/// and one environment variable, all in memory, so imports, `read_file` and `env` run
/// their real code without touching the machine's files or environment.
let fuzzHost = MemoryHost(
    files: [
        "lib.ecsh": "import \"sub/util.ecsh\" as u\nlet answer = u.twice(21)\nfn greet(name) { return \"hi \" + name }\n",
        "sub/util.ecsh": "fn twice(n) { return n * 2 }\n",
        "data.txt": "one\ntwo\n",
    ],
    environment: ["STAGE": "fuzz"])
