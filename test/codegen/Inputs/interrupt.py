#===- interrupt.py - signal a command once its compiler runs ---------------===#
# usage: interrupt.py SIGNAL MARK -- COMMAND...
# Runs COMMAND (an anvilc using slow_cxx.sh as its compiler, with
# SLOW_CXX_MARK=MARK), waits until the fake compiler has written MARK, sends
# SIGNAL (INT, TERM or HUP) to COMMAND (with SIGNAL at its default action),
# kills the fake compiler, and prints how COMMAND ended: `ended by SIGTERM` or
# `exited N`.
#===----------------------------------------------------------------------===#
import os
import signal
import subprocess
import sys
import time

sig = getattr(signal, "SIG" + sys.argv[1])
mark = sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
# A shell starts background jobs with SIGINT ignored, nohup ignores SIGHUP,
# and an ignored signal stays ignored across exec (anvilc keeps it ignored,
# on purpose): give the command the default action of the signal sent.
p = subprocess.Popen(cmd, env=dict(os.environ, SLOW_CXX_MARK=mark),
                     preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
deadline = time.time() + 120
while not os.path.exists(mark):
    if p.poll() is not None or time.time() > deadline:
        print("the compiler never started; the command exited %s" % p.poll())
        sys.exit(1)
    time.sleep(0.05)
p.send_signal(sig)
try:
    rc = p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    print("the command did not end on the signal")
    sys.exit(1)
try:
    os.kill(int(open(mark).read()), signal.SIGKILL)
except (OSError, ValueError):
    pass
if rc < 0:
    print("ended by " + signal.Signals(-rc).name)
else:
    print("exited %d" % rc)
