#!/usr/bin/env python3
"""N event lines shaped as the agent exports them (default flags: no cap, no
ns): a shell forking children that exec, open files, connect and exit.
   simulate-gen.py N > events.json"""
import base64
import random
import sys

n = int(sys.argv[1])
rnd = random.Random(17)
node = "bench-node"
T0 = 1767225600  # 2026-01-01


def ts(ns):
    s, f = divmod(ns, 10**9)
    h, r = divmod(s % 86400, 3600)
    m, sec = divmod(r, 60)
    return "2026-01-01T%02d:%02d:%02d.%09dZ" % (h, m, sec, f)


def eid(pid, t):
    return base64.b64encode(("%s:%d:%d" % (node, t, pid)).encode()).decode()


def proc(p, extra=""):
    return ('{"exec_id":"%s","pid":%d,"uid":0,"cwd":"/root","binary":"%s","arguments":"%s",'
            '"flags":"execve clone","start_time":"%s","auid":4294967295,"parent_exec_id":"%s",'
            '"tid":%d%s}' % (p["id"], p["pid"], p["bin"], p["args"], ts(p["t"]), p["pid_id"], p["pid"], extra))


shell = {"id": eid(100, 1000), "pid": 100, "bin": "/bin/bash", "args": "/usr/local/bin/health.sh",
         "t": 1000, "pid_id": eid(1, 1)}
bins = [("/usr/bin/cat", "/etc/hostname"), ("/usr/bin/ls", "-la /usr"), ("/usr/bin/curl", "-s http://10.0.0.7/h"),
        ("/usr/bin/python3", "/opt/app/run.py --port 8080"), ("/bin/sh", "-c \\\"cat /etc/passwd\\\"")]
files = ["/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd", "/etc/hostname",
         "/usr/lib/locale/C.utf8/LC_CTYPE", "/proc/self/status", "/var/lib/app/data.db", "/etc/shadow",
         "/home/user/.ssh/id_rsa", "/tmp/x%d"]
out = sys.stdout
t = 10**12
pid = 200
i = 0
live = []
while i < n:
    t += rnd.randint(1000, 200000)
    r = rnd.random()
    if r < 0.08 or not live:
        pid += 1
        b, a = rnd.choice(bins)
        p = {"id": eid(pid, t), "pid": pid, "bin": b, "args": a, "t": t, "pid_id": shell["id"]}
        live.append(p)
        out.write('{"process_exec":{"process":%s,"parent":%s},"node_name":"%s","time":"%s"}\n'
                  % (proc(p), proc(shell), node, ts(t)))
    elif r < 0.16:
        p = live.pop(rnd.randrange(len(live)))
        out.write('{"process_exit":{"process":%s,"parent":%s,"status":0,"time":"%s"},"node_name":"%s","time":"%s"}\n'
                  % (proc(p), proc(shell), ts(t), node, ts(t)))
    elif r < 0.24:
        p = rnd.choice(live)
        port = rnd.choice([80, 443, 53, 5432])
        addr = rnd.choice(["10.0.0.7", "93.184.216.34", "127.0.0.53", "192.168.1.20"])
        out.write('{"process_lsm":{"process":%s,"parent":%s,"function_name":"socket_connect","policy_name":"record",'
                  '"args":[{"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP",'
                  '"saddr":"0.0.0.0","daddr":"0.0.0.0","sport":0,"dport":0,"state":"TCP_CLOSE"}},'
                  '{"sockaddr_arg":{"family":"AF_INET","addr":"%s","port":%d}},{"int_arg":16}],'
                  '"action":"KPROBE_ACTION_POST"},"node_name":"%s","time":"%s"}\n'
                  % (proc(p, ',"refcnt":1'), proc(shell), addr, port, node, ts(t)))
    else:
        p = rnd.choice(live)
        f = rnd.choice(files)
        if "%d" in f:
            f = f % rnd.randint(0, 999)
        out.write('{"process_lsm":{"process":%s,"parent":%s,"function_name":"file_open","policy_name":"record",'
                  '"args":[{"file_arg":{"path":"%s","permission":"-rw-r--r--"}}],"action":"KPROBE_ACTION_POST"},'
                  '"node_name":"%s","time":"%s"}\n' % (proc(p, ',"refcnt":1'), proc(shell), f, node, ts(t)))
    i += 1
