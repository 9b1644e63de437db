#!/usr/bin/env python3
"""Regenerates the large or binary inputs of this folder (run from this folder).
The generated .ecsh files are committed; this script only documents how they were made."""
n = 100000
open('long_line.ecsh', 'w').write('# one ~600 KB line: a list literal of 100,000 Ints\nlet xs = ['
                                  + ', '.join(str(i) for i in range(n)) + ']\nprint(len(xs), xs[-1], xs[50000])\n')
open('long_line_error.ecsh', 'w').write('let s = "' + 'a' * 100000 + '" + 1\n')
open('long_expression_line.ecsh', 'w').write('print(' + '+'.join(['1'] * 500000) + ')\n')
open('nested_brackets.ecsh', 'w').write('let x = ' + '[' * 10000 + ']' * 10000 + '\nprint("not reached")\n')
open('nested_blocks.ecsh', 'w').write('{' * 10000 + '}' * 10000 + '\n')
open('nested_interpolation.ecsh', 'w').write('print(' + '"${' * 10000 + '1' + '}"' * 10000 + ')\n')
open('nested_200_ok.ecsh', 'w').write('# 150 nested brackets are within the documented limit of 200 levels\nlet x = '
                                      + '[' * 150 + ']' * 150
                                      + '\nvar depth = 1\nvar cur = x\nwhile len(cur) > 0 {\n  cur = cur[0]\n  depth += 1\n}\nprint(depth)\n')
open('nul_bytes.ecsh', 'wb').write(b'print("ok")\nlet x = 1\x00\x00\x01\x02garbage\n')
open('invalid_utf8.ecsh', 'wb').write(b'print("ok")\nlet s = "caf\xe9"\n')
open('binary_garbage.ecsh', 'wb').write(bytes([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]) + bytes(range(256)) * 4)
open('utf8_bom.ecsh', 'wb').write(b'\xef\xbb\xbfprint("bom")\n')
open('crlf.ecsh', 'wb').write(b'print("crlf")\r\nlet x = 1\r\nprint(x)\r\n')
open('unterminated_escape_at_eof.ecsh', 'wb').write(b'let s = "abc\\')
open('unterminated_interp_at_eof.ecsh', 'wb').write(b'print("${')
open('empty_file.ecsh', 'wb').write(b'')
# fuzz_oom_leak.ecsh is the input fuzz-run was running when the leak of every interpreter
# (docs/fuzzing.md) ran it out of memory; it is kept byte for byte, invalid UTF-8 included.
