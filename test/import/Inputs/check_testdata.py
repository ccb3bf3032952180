"""Imports each listed ONNX backend test model with anvil-translate and
checks it against every test_data_set (--check-test-data).

usage: check_testdata.py LIST   (one path under the test data root a line)
"""
import glob
import os
import subprocess
import sys

ROOT = "/usr/share/libonnx-testdata/data"


def main():
    passed = failed = 0
    with open(sys.argv[1]) as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for name in names:
        model = os.path.join(ROOT, name, "model.onnx")
        sets = sorted(glob.glob(os.path.join(ROOT, name, "test_data_set_*")))
        if not sets:
            print("FAIL %s: no test data" % name)
            failed += 1
            continue
        for ds in sets:
            r = subprocess.run(["anvil-translate", "--import-onnx", model,
                                "--check-test-data", ds],
                               capture_output=True, text=True)
            if r.returncode == 0 and "PASS" in r.stdout:
                passed += 1
            else:
                failed += 1
                print("FAIL %s: %s" % (name, r.stderr.strip()))
    print("passed: %d, failed: %d" % (passed, failed))


if __name__ == "__main__":
    main()
