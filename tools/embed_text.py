#!/usr/bin/env python3
"""Turn a text file into a C++ source defining `const char NAME[]`.

Used at build time so that schema/*.sql stays the single source of truth
while the binary carries its own copy."""
import sys

def main() -> None:
    src, dst, name = sys.argv[1], sys.argv[2], sys.argv[3]
    data = open(src, 'rb').read()
    body = ',\n'.join(
        ', '.join(str(b) for b in data[i:i + 24]) for i in range(0, len(data), 24))
    with open(dst, 'w') as out:
        out.write('// Generated from %s by tools/embed_text.py; do not edit.\n' % src)
        out.write('extern const char %s[];\n' % name)
        out.write('const char %s[] = {\n%s,\n0};\n' % (name, body))

if __name__ == '__main__':
    main()
